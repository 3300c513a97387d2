"""The network KPI's evidence in sentences: what proves each level, from a level's evidence (reports/network_kpi.py).

Works on the JSON-ready evidence dicts, live or frozen (a quarterly summary stored by the clock), so the
seeds-form report and the frozen summary page say the same; keys missing from an older version are skipped.
"""

from __future__ import annotations

from texts import kpi_reports as t


def _join(items, limit: int = 0) -> str:
    items = [str(item) for item in items if item]
    if limit and len(items) > limit:
        return ", ".join(items[:limit]) + f" และอีก {len(items) - limit}"
    return ", ".join(items)


def level_1(evidence: dict) -> list[str]:
    """The network's LINE groups with their members, the occupations covered and the registered members."""
    lines = []
    groups = evidence.get("network_groups") or []
    for number, group in enumerate(groups, start=1):
        members = group.get("members")
        template = t.GROUP_LINE if members is not None else t.GROUP_LINE_UNKNOWN
        lines.append(template.format(n=number, name=group.get("name") or "-", members=members))
    covered = evidence.get("occupations_covered") or []
    lines.append(
        t.GROUPS_TOTAL.format(
            groups=len(groups),
            people=int(evidence.get("people_in_groups") or 0),
            covered=len(covered),
            names=_join(covered) or t.DASH,
        )
    )
    registered = evidence.get("registered_members_by_occupation") or {}
    if registered:
        parts = _join(f"{name} {count} คน" for name, count in registered.items())
        lines.append(t.MEMBERS_BY_OCCUPATION.format(parts=parts))
    return lines


def level_2(evidence: dict) -> list[str]:
    """The reports received per channel, open 24 hours."""
    channels = evidence.get("reports_by_channel") or {}
    total = int(evidence.get("reports_total") or 0)
    if not channels:
        always = _join(evidence.get("channels_always_open") or []) or t.DASH
        return [t.CHANNELS_NONE.format(channels=always)]
    parts = _join(f"{name} {count} เรื่อง" for name, count in channels.items())
    return [t.CHANNELS.format(total=total, count=len(channels), parts=parts)]


def level_3(evidence: dict) -> list[str]:
    """Each appointing order in force: its number and date, chair, composition and whether it counts."""
    lines = []
    for committee in evidence.get("committees") or []:
        line = t.ORDER_LINE.format(
            order=committee.get("order") or "-", name=committee.get("name") or "-", validity=committee.get("validity")
        )
        if committee.get("draft"):
            line += " " + t.ORDER_DRAFT
        elif not committee.get("qualifies"):
            line += " " + t.ORDER_NOT_QUALIFIED
        lines.append(line)
        if committee.get("chair"):
            lines.append(t.ORDER_CHAIR.format(chair=committee["chair"]))
        roles = committee.get("members_by_role") or {}
        if roles:
            lines.append(t.ORDER_ROLES.format(parts=_join(f"{role} {count} คน" for role, count in roles.items())))
        bma, outside = committee.get("bma_units") or [], committee.get("outside_agencies") or []
        if bma or outside:
            authority = _join(committee.get("immigration_agencies") or []) or t.DASH
            lines.append(t.ORDER_SEATS.format(bma=len(bma), outside=len(outside), authority=authority))
    return lines


def level_4(evidence: dict) -> list[str]:
    """The meetings that count (kind, date, title, reports considered), then those that do not and why."""
    lines = []
    for meeting in evidence.get("meetings") or []:
        lines.append(_meeting(meeting))
        districts = meeting.get("target_districts") or []
        if districts:
            lines.append(t.MEETING_DISTRICTS.format(count=len(districts), names=_join(districts)))
    for meeting in evidence.get("not_counted") or []:
        lines.append(
            t.MEETING_NOT_COUNTED.format(
                kind=meeting.get("kind") or "",
                date=meeting.get("date") or "-",
                title=meeting.get("title") or "",
                why=meeting.get("why_not") or "-",
            )
        )
    return lines


def _meeting(meeting: dict) -> str:
    return t.MEETING_LINE.format(
        kind=meeting.get("kind") or "",
        date=meeting.get("date") or "-",
        title=meeting.get("title") or "",
        reports=int(meeting.get("reports_considered") or 0),
        minutes=t.MEETING_MINUTES if meeting.get("has_minutes") else "",
    )


def level_5(evidence: dict) -> list[str]:
    """The forwards (reference, date, subject, agencies, acknowledged) and the measures agencies reported."""
    lines = []
    for forward in evidence.get("forwards") or []:
        lines.append(
            t.FORWARD_LINE.format(
                ref=forward.get("ref_no") or "-",
                date=forward.get("date") or "-",
                subject=forward.get("subject") or "",
                kind=forward.get("kind") or "",
                agencies=int(forward.get("agencies") or 0),
                acknowledged=int(forward.get("acknowledged") or 0),
            )
        )
    for measure in evidence.get("measures") or []:
        lines.append(
            t.MEASURE_LINE.format(
                kind=measure.get("kind") or "",
                title=measure.get("title") or "",
                agency=measure.get("agency") or "-",
                date=measure.get("reported_on") or "-",
            )
        )
    return lines


LINES = {1: level_1, 2: level_2, 3: level_3, 4: level_4, 5: level_5}


def level_lines(level: int, evidence: dict | None) -> list[str]:
    """What proves one level, as sentences (none for an unknown level)."""
    builder = LINES.get(level)
    return builder(evidence or {}) if builder else []
