"""A person's rights under the PDPA: everything FieldLine holds about one LINE user, exported or erased.

No Flask here: every function takes a session and never commits (the admin web, the CLI and the
retention job commit and audit). Files under MEDIA_DIR are deleted only after the commit, by
``sweep_removed_files``: an erasure marks the media ``removed``, and the sweep deletes their files
unless another record still uses the same file (files are named by checksum).

The modules: ``person`` (finding the person, their pseudonym), ``holdings`` (every row held about them),
``export`` (the JSON document and the ZIP), ``erasure`` (what an erasure blanks and what it keeps) and
``files`` (the files on disk).
"""

from services.privacy.erasure import (
    ERASED_ERROR,
    QUEUED_EVENTS,
    Erasure,
    blank_report_content,
    erase,
    remove_media,
)
from services.privacy.export import (
    EXPORT_FORMAT,
    EXPORT_JSON,
    EXPORT_README,
    EXPORT_VERSION,
    README_TEXT,
    ExportSummary,
    export_bytes,
    export_counts,
    export_document,
    export_name,
    write_export,
)
from services.privacy.files import FILES_GONE, sweep_removed_files
from services.privacy.holdings import (
    AUDIT_VIEW_IDENTITY,
    Holdings,
    audit_entries_about,
    gather,
    inbox_events_from,
    outbox_messages_to,
)
from services.privacy.person import (
    MIN_NAME_LENGTH,
    PSEUDONYM_PREFIX,
    PersonalDataError,
    find_member,
    member_or_error,
    names_of,
    pseudonym,
)

__all__ = [
    "AUDIT_VIEW_IDENTITY",
    "ERASED_ERROR",
    "EXPORT_FORMAT",
    "EXPORT_JSON",
    "EXPORT_README",
    "EXPORT_VERSION",
    "FILES_GONE",
    "MIN_NAME_LENGTH",
    "PSEUDONYM_PREFIX",
    "QUEUED_EVENTS",
    "README_TEXT",
    "Erasure",
    "ExportSummary",
    "Holdings",
    "PersonalDataError",
    "audit_entries_about",
    "blank_report_content",
    "erase",
    "export_bytes",
    "export_counts",
    "export_document",
    "export_name",
    "find_member",
    "gather",
    "inbox_events_from",
    "member_or_error",
    "names_of",
    "outbox_messages_to",
    "pseudonym",
    "remove_media",
    "sweep_removed_files",
    "write_export",
]
