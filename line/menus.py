"""What each role's rich menu offers: its tiles, each a command a handler answers for that role.

One table for the rich menus (bot/richmenu.py draws and deploys them) and for the help text
(handlers/basics.py lists the same commands), so nothing is advertised that the person cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.roles import Menu
from texts import common, network, riskpoints, workgroup
from texts import richmenu as t


@dataclass(frozen=True)
class Tile:
    """One tappable area: its label, a hint under it, the text it sends, and its colour."""

    label: str
    hint: str
    sends: str
    colour: tuple[int, int, int]


def tile(words: tuple[str, str], sends: str, colour: tuple[int, int, int]) -> Tile:
    """A tile from its (label, hint) in texts/richmenu.py."""
    return Tile(words[0], words[1], sends, colour)


TEAL, BLUE, PURPLE, ORANGE, GREEN, GREY, RED = (
    (0, 150, 136),
    (30, 100, 190),
    (94, 53, 177),
    (230, 126, 34),
    (46, 125, 50),
    (84, 110, 122),
    (183, 28, 28),
)
REPORT = tile(t.REPORT, common.QUICK_REPORT, TEAL)
HELP = tile(t.HELP, common.QUICK_HELP, GREY)

MENUS: dict[Menu, tuple[Tile, ...]] = {
    Menu.NEWCOMER: (
        tile(t.REGISTER, network.REGISTER, GREEN),
        REPORT,
        tile(t.SUMMARY_NEWCOMER, t.MY_SUMMARY, ORANGE),
        HELP,
    ),
    Menu.VOLUNTEER: (REPORT, tile(t.SUMMARY_VOLUNTEER, t.MY_SUMMARY, ORANGE), HELP),
    Menu.PATROL: (
        tile(t.CHECKIN, riskpoints.CHECKIN, BLUE),
        tile(t.CAMERA, riskpoints.CAMERA, PURPLE),
        tile(t.SUMMARY_PATROL, t.MY_SUMMARY, ORANGE),
        tile(t.MONTH_REPORT, riskpoints.SUBMIT_REPORT, RED),
        REPORT,
        HELP,
    ),
    Menu.CLERK: (
        tile(t.SUMMARY_CLERK, t.MY_SUMMARY, ORANGE),
        tile(t.MONTH_REPORT, riskpoints.SUBMIT_REPORT, RED),
        REPORT,
        HELP,
    ),
    Menu.SECRETARIAT: (
        tile(t.SUMMARY_SECRETARIAT, t.MY_SUMMARY, ORANGE),
        tile(t.MEETING, workgroup.MEETING_WORDS[0], PURPLE),
        REPORT,
        HELP,
    ),
}
