"""A unit's month figures as Thai lines: shown when a unit reports its month and in the clock's day-1 message."""

from __future__ import annotations

from texts import riskpoints as t


def describe(figures: dict) -> str:
    """A unit's figures as Thai lines."""

    def pct(done: int, required: int) -> str:
        return f"{100 * done / required:.0f}%" if required else "–"

    if figures.get("kind") == "patrol":
        lines = [
            t.FIG_PATROLS.format(
                done=figures["patrols_done"],
                required=figures["patrols_required"],
                percent=pct(figures["patrols_done"], figures["patrols_required"]),
            )
        ]
        if figures["cameras_required"]:
            lines.append(
                t.FIG_CAMERAS.format(
                    done=figures["cameras_done"],
                    required=figures["cameras_required"],
                    percent=pct(figures["cameras_done"], figures["cameras_required"]),
                )
            )
        if figures["rounds_missed"]:
            lines.append(t.FIG_MISSES.format(explained=figures["misses_explained"], missed=figures["rounds_missed"]))
        return "\n".join(lines)
    return t.FIG_ORDERS.format(
        received=figures["orders_received"], done=figures["orders_done"], pending=figures["orders_pending"]
    )
