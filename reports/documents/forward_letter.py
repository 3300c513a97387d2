"""The letter that forwards network reports or a meeting's results to one agency, as DOCX or PDF.

A Thai official letter (หนังสือภายนอก) with the number the office's letter register gave it when the forward
was made; rendered on demand from the stored forward and the office profile, so the same letter comes out
every time. Built on the shared official letter (official_letter.py), as the CCTV coordination letters are;
the contact is the office's secretariat unit.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from models import NewsReport, ReportCategory
from models.office import OfficeProfile, office_profile
from models.timeutil import thai_date
from models.workgroup import Agency, Forward, ForwardKind, ForwardRecipient, Meeting
from reports.documents import letter_pdf, letter_templates
from reports.documents import official_letter as official
from reports.network_kpi import MEETING_KINDS
from reports.news_text import report_text
from texts import letters as t
from texts import workgroup as wt

Digits = Callable[[str], str]


def addressee(agency: Agency) -> str:
    """Whom the letter is addressed to ('เรียน ...')."""
    return agency.addressee or f"หัวหน้า{agency.name}"


def filename(forward: Forward, recipient: ForwardRecipient, extension: str = "docx") -> str:
    """The download name, e.g. FW-2564-0002-15.docx."""
    return f"{forward.ref_no}-{recipient.id}.{extension}"


def _meeting_values(meeting: Meeting) -> dict[str, str]:
    decisions = [item.text for item in meeting.items if item.is_decision]
    districts = " ".join(f"เขต{name}" for name in meeting.target_districts or [])
    return {
        "committee": meeting.committee.name,
        "meeting_kind": MEETING_KINDS[meeting.kind],
        "meeting_title": meeting.title,
        "meeting_date": thai_date(meeting.starts_at),
        "decisions": " ".join(f"({number}) {text}" for number, text in enumerate(decisions, start=1)),
        "districts": t.TARGET_DISTRICTS.format(districts=districts) if districts else "",
    }


def body_values(
    forward: Forward, recipient: ForwardRecipient, reports: list[NewsReport], profile: OfficeProfile
) -> dict[str, str]:
    """What the body's placeholders stand for in this letter (every digit in the office's digits)."""
    values = {
        "office": profile.name,
        "district": profile.district,
        "agency": recipient.agency.name,
        "count": str(len(reports)),
        "subject": forward.subject,
        "note": " ".join((forward.note or "").split()),
    }
    if forward.kind == ForwardKind.MEETING and forward.meeting is not None:
        values |= _meeting_values(forward.meeting)
    return {name: profile.digits(value) for name, value in values.items()}


def build(session: Session, recipient: ForwardRecipient) -> official.Letter:
    """The letter's content: the profile's heading, the body from the template, the secretariat as contact."""
    forward = recipient.forward
    profile = office_profile(session)
    digits = profile.digits
    reports = [report for link in forward.report_links if (report := session.get(NewsReport, link.report_id))]
    meeting = forward.meeting if forward.kind == ForwardKind.MEETING else None
    values = body_values(forward, recipient, reports, profile)
    if meeting is not None:
        kind = "forward_meeting"
        reference = t.FORWARD_MEETING_REFERENCE.format(kind=MEETING_KINDS[meeting.kind], date=values["meeting_date"])
        enclosure = t.FORWARD_MEETING_ENCLOSURE
        annex = _meeting_annex(meeting, digits)
    else:
        kind, reference = "forward_reports", None
        enclosure = t.FORWARD_REPORTS_ENCLOSURE.format(count=len(reports))
        annex = _reports_annex(session, reports, digits)
    register = recipient.letter
    return official.Letter(
        number=digits(recipient.letter_no or "–"),
        office=profile.name,
        address=digits(profile.address),
        dated=digits(thai_date(register.issued_at if register is not None else forward.sent_at)),
        subject=digits(forward.subject),
        addressee=addressee(recipient.agency),
        reference=reference,
        enclosures=(digits(enclosure),),
        body=tuple(letter_templates.paragraphs(session, kind, values, digits)),
        signatory_name=profile.signatory_name,
        signatory_position=profile.signatory_position,
        contact_unit=profile.secretariat_unit,
        contact_phone=digits(profile.phone),
        footnote=t.FORWARD_REF.format(ref=forward.ref_no),
        annex=annex,
    )


def render_forward_letter(session: Session, recipient: ForwardRecipient) -> bytes:
    """The letter to one recipient of a forward, as DOCX bytes."""
    return official.to_docx(build(session, recipient))


def render_forward_pdf(session: Session, recipient: ForwardRecipient) -> bytes:
    """The same letter as PDF bytes (raises reports.documents.pdf.PdfUnavailable without Chromium)."""
    return letter_pdf.to_pdf(build(session, recipient), title=filename(recipient.forward, recipient, "pdf"))


def _reports_annex(session: Session, reports: list[NewsReport], digits: Digits) -> tuple[official.Block, ...]:
    rows = []
    for number, report in enumerate(reports, start=1):
        category = session.get(ReportCategory, report.category_code) if report.category_code else None
        where = " ".join(filter(None, [f"เขต{report.district}" if report.district else None, report.place]))
        gist = " ".join(report_text(report).split())[:400]
        rows.append(
            (
                digits(str(number)),
                report.ref_no or "–",
                digits(thai_date(report.started_at, short=True)),
                category.name if category else wt.UNCATEGORISED,
                where or "–",
                gist or "–",
            )
        )
    return (
        official.Text(t.REPORTS_ANNEX, bold=True, center=True),
        official.Text(t.REPORTS_ANNEX_NOTE, center=True),
        official.Table(tuple(t.REPORTS_HEADER), tuple(rows), (1.0, 3.4, 2.2, 2.6, 2.4, 4.4)),
    )


def _meeting_annex(meeting: Meeting, digits: Digits) -> tuple[official.Block, ...]:
    blocks: list[official.Block] = [
        official.Text(t.MEETING_ANNEX, bold=True, center=True),
        official.Text(digits(f"{meeting.title} เมื่อวันที่ {thai_date(meeting.starts_at)}"), center=True),
        official.Text(""),
    ]
    decisions = [item for item in meeting.items if item.is_decision]
    if decisions:
        blocks.append(official.Text(t.MEETING_DECISIONS, bold=True))
        blocks += [
            official.Text(digits(f"{number}. {item.text}"), indent=True)
            for number, item in enumerate(decisions, start=1)
        ]
    tasks = [item for item in meeting.items if not item.is_decision]
    if tasks:
        rows = tuple(
            (
                digits(str(number)),
                item.text,
                item.agency.name if item.agency else wt.NO_AGENCY,
                digits(thai_date(item.due_on)) if item.due_on else "–",
            )
            for number, item in enumerate(tasks, start=1)
        )
        blocks += [official.Text(""), official.Text(t.MEETING_TASKS, bold=True)]
        blocks.append(official.Table(tuple(t.MEETING_TASKS_HEADER), rows, (1.0, 7.0, 4.5, 3.5)))
    if meeting.target_districts:
        districts = " ".join(f"เขต{name}" for name in meeting.target_districts)
        blocks += [official.Text(""), official.Text(t.MEETING_DISTRICTS.format(districts=districts))]
    return tuple(blocks)
