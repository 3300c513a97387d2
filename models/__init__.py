"""FieldLine's SQLAlchemy models; importing this package registers every table."""

from models.admin import ApiToken, AuditEntry, Role, StaffUser
from models.base import Base
from models.inbox import InboxEvent, InboxStatus, RejectedBody
from models.outbox import OutboxStatus, OutgoingMessage
from models.people import Chat, Conversation, Member

__all__ = [
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
