"""FieldLine's SQLAlchemy models; importing this package registers every table."""

from models.admin import ApiToken, AuditEntry, Role, StaffUser
from models.base import Base
from models.evidence import EvidencePack, PackStatus
from models.inbox import InboxEvent, InboxStatus, RejectedBody
from models.kpi_reports import KpiReportDraft
from models.letters import LetterKind, OutgoingLetter
from models.network import (
    Counter,
    GroupRegistrationCode,
    Invitation,
    MediaFile,
    MediaStatus,
    NewsReport,
    Occupation,
    ReportCategory,
    ReportItem,
    ReportLink,
    ReportStatus,
)
from models.outbox import OutboxStatus, OutgoingMessage
from models.people import Chat, Conversation, Member, MemberStatus
from models.point_days import PointDay
from models.riskpoints import (
    CameraCheck,
    CameraStatus,
    CheckAttempt,
    CoordinationLetter,
    CrimeStat,
    Defect,
    DefectStatus,
    MonthlySubmission,
    OrderEvent,
    OrderStatus,
    PatrolCheck,
    RiskCamera,
    RiskPhoto,
    RiskPoint,
    RiskUnit,
    RosterStatus,
    RoundMiss,
    UnitKind,
    UnitMembership,
    WorkOrder,
)
from models.scheduling import JobRun, JobSend, QuotaSnapshot, ReportVersion, RunStatus
from models.settings import Setting
from models.workers import WorkerHeartbeat
from models.workgroup import Agency as Agency  # the working group's tables (models/workgroup.py)

__all__ = [
    "EvidencePack",
    "KpiReportDraft",
    "PackStatus",
    "Counter",
    "GroupRegistrationCode",
    "Invitation",
    "MediaFile",
    "MediaStatus",
    "MemberStatus",
    "NewsReport",
    "Occupation",
    "ReportCategory",
    "ReportItem",
    "ReportLink",
    "ReportStatus",
    "Setting",
    "WorkerHeartbeat",
    "JobRun",
    "JobSend",
    "QuotaSnapshot",
    "ReportVersion",
    "RunStatus",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Chat",
    "Conversation",
    "InboxEvent",
    "InboxStatus",
    "LetterKind",
    "OutgoingLetter",
    "Member",
    "OutboxStatus",
    "OutgoingMessage",
    "RejectedBody",
    "Role",
    "StaffUser",
    "CameraCheck",
    "CameraStatus",
    "CheckAttempt",
    "CoordinationLetter",
    "CrimeStat",
    "Defect",
    "DefectStatus",
    "MonthlySubmission",
    "OrderEvent",
    "OrderStatus",
    "PatrolCheck",
    "PointDay",
    "RiskCamera",
    "RiskPhoto",
    "RiskPoint",
    "RiskUnit",
    "RosterStatus",
    "RoundMiss",
    "UnitKind",
    "UnitMembership",
    "WorkOrder",
]
