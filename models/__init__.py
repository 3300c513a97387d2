"""FieldLine's SQLAlchemy models; importing this package registers every table."""

from models.admin import ApiToken, AuditEntry, Role, StaffUser
from models.base import Base
from models.inbox import InboxEvent, InboxStatus, RejectedBody
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
from models.settings import Setting

__all__ = [
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
    "ApiToken",
    "AuditEntry",
    "Base",
    "Chat",
    "Conversation",
    "InboxEvent",
    "InboxStatus",
    "Member",
    "OutboxStatus",
    "OutgoingMessage",
    "RejectedBody",
    "Role",
    "StaffUser",
]
