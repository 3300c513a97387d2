"""The audit log: who signed in, changed or viewed what, and from where; never the data itself."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import AuditEntry


class Action:
    """The action names written to the audit log; views of personal data start with "view."."""

    LOGIN_OK = "login.ok"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED = "login.locked"
    LOGOUT = "logout"
    VIEW_INBOX_PAYLOAD = "view.inbox_payload"
    VIEW_MEMBERS = "view.members"
    VIEW_REJECTED = "view.rejected"
    VIEW_AUDIT = "view.audit"
    VIEW_STAFF = "view.staff"
    INBOX_RETRY = "inbox.retry"
    VIEW_UNDELIVERED = "view.undelivered"  # the list of messages LINE did not take (recipients' reporter codes)
    OUTBOX_RETRY = "outbox.retry"
    VIEW_DEAD_LETTERS = "view.dead_letters"
    DEAD_LETTER_REQUEUE = "dead_letter.requeue"
    DEAD_LETTER_DISCARD = "dead_letter.discard"
    STAFF_CREATE = "staff.create"
    STAFF_UPDATE = "staff.update"
    STAFF_DEACTIVATE = "staff.deactivate"
    STAFF_ACTIVATE = "staff.activate"
    TOKEN_CREATE = "token.create"  # noqa: S105 - an action name
    TOKEN_REVOKE = "token.revoke"  # noqa: S105 - an action name
    # The intelligence network: views of informants' data, then changes
    VIEW_MEMBER = "view.member"
    VIEW_IDENTITY = "view.identity"  # names, phones, LINE names: the detail says which members
    VIEW_REPORT = "view.report"
    VIEW_REPORT_MEDIA = "view.report_media"
    VIEW_REPORT_PLACES = "view.report_places"  # the map's exact places of reports: the detail lists their ids
    VIEW_NETWORK_ROLL = "view.network_roll"
    MEMBER_DECIDE = "member.decide"
    MEMBER_UPDATE = "member.update"
    GROUP_CODE_CREATE = "group_code.create"
    REPORT_CATEGORY = "report.category"
    REPORT_STATUS_UPDATE = "report.status_update"
    NETWORK_SETTINGS = "network.settings"
    NETWORK_LIST_UPDATE = "network.list_update"
    # The office profile and the letters' bodies (services/office.py): the keys changed, never their values
    OFFICE_PROFILE = "office.profile"
    LETTER_TEMPLATES = "office.letter_templates"
    # PDPA retention (services/privacy/retention.py): what the purge removed, counts only
    RETENTION_PURGE = "retention.purge"
    # A person's rights (services/privacy/): the export is a view of everything held about them
    VIEW_PERSONAL_DATA_EXPORT = "view.personal_data_export"
    PERSONAL_DATA_ERASE = "personal_data.erase"
    # Evidence packs (services/evidence_packs.py): a ZIP of the KPI evidence; its downloads are audited as
    # download.signed_link (bot/downloads.py)
    EVIDENCE_PACK_REQUEST = "evidence_pack.request"
    # The quarterly KPI reports (services/kpi_reports.py): the sections edited, versions finalised, documents fetched
    KPI_REPORT_NARRATIVE = "kpi_report.narrative"
    KPI_REPORT_FINALISE = "kpi_report.finalise"
    KPI_REPORT_DOWNLOAD = "kpi_report.download"
    # Evidence recorded later with its real date (services/earlier_evidence.py): the row's id, its date, counts
    EVIDENCE_GROUP = "evidence.group"
    EVIDENCE_REPORT = "evidence.report"
    EVIDENCE_FORWARD = "evidence.forward"
    EVIDENCE_IMPORT = "evidence.import"


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    object_type: str | None = None,
    object_id: object = None,
    ip: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (the caller commits); detail holds ids and counts, never content."""
    entry = AuditEntry(
        actor=actor[:120],
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:80],
        ip=ip[:64] if ip else None,
        detail=dict(detail or {}),
    )
    session.add(entry)
    return entry
