"""office profile and one letter register

Revision ID: 0012_office_letters
Revises: 0011_unit_rosters
Create Date: 2026-12-04 19:00:00.000000

Written by hand. One register of outgoing letters (``letters``: book, fiscal year, running number, kind,
subject, addressee) numbers every kind of letter from one sequence per book and year; coordination letters
(rp_letters) and forward recipients (wg_forward_recipients) point at their entry (``letter_id``), and the
recipients' own ``letter_no`` goes (the printed number is the office's code and the register's number).

Existing letters keep the numbers they were sent with: coordination letters enter the default book
'ทั่วไป' with their number; forward letters, numbered apart until now, enter the book 'ส่งต่อ (ก่อนรวมทะเบียน)'
so no two entries of a book share a number; the default book's counter continues after the highest number
either kind reached in each year, so no new letter repeats an old one.

The office profile moves to ``office.*`` settings: stored values of the old ``workgroup.office_*``,
``riskpoints.office_*`` and letter keys are copied (the risk-point value first when both were set) and the old
rows deleted; a name 'สำนักงานเขต<district>' also gives the district.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime
from models.districts import DISTRICTS
from models.timeutil import utcnow

revision: str = "0012_office_letters"
down_revision: str | None = "0011_unit_rosters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOOK = "ทั่วไป"
LEGACY_FORWARD_BOOK = "ส่งต่อ (ก่อนรวมทะเบียน)"
COUNTER = f"LETTER:{BOOK}"
COORDINATION_SUBJECT = "ขอให้ตรวจสอบและซ่อมแซมกล้องโทรทัศน์วงจรปิด (CCTV) ที่ชำรุด"
# new key -> the old keys whose stored value it takes, the first stored one winning
MOVED = {
    "office.name": ("riskpoints.office_name", "workgroup.office_name"),
    "office.address": ("riskpoints.office_address", "workgroup.office_address"),
    "office.phone": ("riskpoints.office_phone", "workgroup.office_phone"),
    "office.letter_prefix": ("riskpoints.letter_prefix", "workgroup.letter_prefix"),
    "office.signatory_position": ("riskpoints.letter_signatory", "workgroup.letter_signatory"),
    "office.secretariat_unit": ("riskpoints.office_unit",),
    "office.thai_digits": ("workgroup.letter_thai_digits",),
}
NEW_KEYS = (
    "office.district",
    "office.signatory_name",
    "letters.template.coordination",
    "letters.template.forward_reports",
    "letters.template.forward_meeting",
)

settings = sa.table(
    "settings",
    sa.column("key", sa.String),
    sa.column("value", sa.JSON),
    sa.column("updated_at", UTCDateTime()),
    sa.column("updated_by", sa.String),
)
letters = sa.table(
    "letters",
    sa.column("id", sa.Integer),
    sa.column("book", sa.String),
    sa.column("fiscal_year", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("subject", sa.String),
    sa.column("addressee", sa.String),
    sa.column("issued_at", UTCDateTime()),
    sa.column("issued_by", sa.String),
)
rp_letters = sa.table(
    "rp_letters",
    sa.column("id", sa.Integer),
    sa.column("letter_id", sa.Integer),
    sa.column("fiscal_year", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("agency", sa.String),
    sa.column("issued_at", UTCDateTime()),
)
recipients = sa.table(
    "wg_forward_recipients",
    sa.column("id", sa.Integer),
    sa.column("forward_id", sa.Integer),
    sa.column("agency_id", sa.Integer),
    sa.column("letter_id", sa.Integer),
    sa.column("letter_no", sa.String),
)
forwards = sa.table(
    "wg_forwards",
    sa.column("id", sa.Integer),
    sa.column("fiscal_year", sa.Integer),
    sa.column("subject", sa.String),
    sa.column("sent_at", UTCDateTime()),
    sa.column("created_by", sa.String),
)
agencies = sa.table(
    "wg_agencies", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("addressee", sa.String)
)
counters = sa.table(
    "counters", sa.column("name", sa.String), sa.column("year", sa.Integer), sa.column("value", sa.Integer)
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book", sa.String(length=40), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("coordination", "forward", name="letterkind", native_enum=False, length=20), nullable=False
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("addressee", sa.String(length=300), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("book", "fiscal_year", "number", name=op.f("uq_letters_book_fiscal_year_number")),
    )
    with op.batch_alter_table("rp_letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_rp_letters_letter_id_letters"), "letters", ["letter_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_rp_letters_letter_id"), ["letter_id"])
    with op.batch_alter_table("wg_forward_recipients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_wg_forward_recipients_letter_id_letters"), "letters", ["letter_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_wg_forward_recipients_letter_id"), ["letter_id"])
    connection = op.get_bind()
    highest = _register_existing_letters(connection)
    _continue_counters(connection, highest)
    with op.batch_alter_table("wg_forward_recipients", schema=None) as batch_op:
        batch_op.drop_column("letter_no")
    _move_settings(connection)


def _enter(connection, *, book, year, number, kind, subject, addressee, issued_at, issued_by) -> int:
    """Insert one register entry and return its id."""
    values = {
        "book": book,
        "fiscal_year": year,
        "number": number,
        "kind": kind,
        "subject": (subject or "-")[:300],
        "addressee": (addressee or "-")[:300],
        "issued_at": issued_at,
        "issued_by": (issued_by or None) and issued_by[:80],
    }
    connection.execute(letters.insert().values(**values))
    query = sa.select(letters.c.id).where(
        letters.c.book == book, letters.c.fiscal_year == year, letters.c.number == number
    )
    return connection.execute(query).scalar_one()


def _register_existing_letters(connection) -> dict[int, int]:
    """Enter every existing letter in the register; return the highest number of each fiscal year."""
    highest: dict[int, int] = {}
    rows = connection.execute(sa.select(rp_letters).order_by(rp_letters.c.fiscal_year, rp_letters.c.number)).all()
    for row in rows:
        entry = _enter(
            connection,
            book=BOOK,
            year=row.fiscal_year,
            number=row.number,
            kind="coordination",
            subject=COORDINATION_SUBJECT,
            addressee=f"ผู้อำนวยการ{row.agency}",
            issued_at=row.issued_at,
            issued_by=None,
        )
        connection.execute(rp_letters.update().where(rp_letters.c.id == row.id).values(letter_id=entry))
        highest[row.fiscal_year] = max(highest.get(row.fiscal_year, 0), row.number)
    query = (
        sa.select(
            recipients.c.id,
            recipients.c.letter_no,
            forwards.c.fiscal_year,
            forwards.c.subject,
            forwards.c.sent_at,
            forwards.c.created_by,
            agencies.c.name,
            agencies.c.addressee,
        )
        .join(forwards, forwards.c.id == recipients.c.forward_id)
        .join(agencies, agencies.c.id == recipients.c.agency_id)
        .where(recipients.c.letter_no.is_not(None), recipients.c.letter_no != "")
        .order_by(forwards.c.sent_at, recipients.c.id)
    )
    taken: dict[int, set[int]] = {}
    for row in connection.execute(query).all():
        year = row.fiscal_year
        used = taken.setdefault(year, set())
        tail = str(row.letter_no).rsplit("/", 1)[-1].strip()
        number = int(tail) if tail.isdigit() and int(tail) not in used else max(used, default=0) + 1
        used.add(number)
        entry = _enter(
            connection,
            book=LEGACY_FORWARD_BOOK,
            year=year,
            number=number,
            kind="forward",
            subject=row.subject,
            addressee=row.addressee or f"หัวหน้า{row.name}",
            issued_at=row.sent_at,
            issued_by=row.created_by,
        )
        connection.execute(recipients.update().where(recipients.c.id == row.id).values(letter_id=entry))
        highest[year] = max(highest.get(year, 0), number)
    return highest


def _continue_counters(connection, highest: dict[int, int]) -> None:
    """Start the default book's counter of each year after the highest number either kind reached."""
    old = connection.execute(
        sa.select(counters.c.year, sa.func.max(counters.c.value))
        .where(counters.c.name.in_(("RP-LETTER", "WG-LETTER")))
        .group_by(counters.c.year)
    ).all()
    for year, value in old:
        highest[year] = max(highest.get(year, 0), value or 0)
    for year, value in sorted(highest.items()):
        connection.execute(counters.insert().values(name=COUNTER, year=year, value=value))


def _stored(connection) -> dict[str, object]:
    return {row.key: row.value for row in connection.execute(sa.select(settings.c.key, settings.c.value)).all()}


def _move_settings(connection) -> None:
    """Copy the stored old office and letter settings into office.* and delete the old rows."""
    stored = _stored(connection)
    now = utcnow()
    for new, olds in MOVED.items():
        value = next((stored[key] for key in olds if key in stored), None)
        if value is not None and new not in stored:
            connection.execute(settings.insert().values(key=new, value=value, updated_at=now, updated_by="0012"))
            stored[new] = value
    name = str(stored.get("office.name") or "")
    district = name.removeprefix("สำนักงานเขต").strip()
    if name.startswith("สำนักงานเขต") and district in DISTRICTS and "office.district" not in stored:
        connection.execute(
            settings.insert().values(key="office.district", value=district, updated_at=now, updated_by="0012")
        )
    old_keys = sorted({key for olds in MOVED.values() for key in olds})
    connection.execute(settings.delete().where(settings.c.key.in_(old_keys)))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("wg_forward_recipients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter_no", sa.String(length=40), nullable=True))
    connection = op.get_bind()
    stored = _stored(connection)
    prefix = str(stored.get("office.letter_prefix", "กท") or "")
    query = sa.select(recipients.c.id, letters.c.number).join(letters, letters.c.id == recipients.c.letter_id)
    for recipient_id, number in connection.execute(query).all():
        printed = f"{prefix}/{number}" if prefix else str(number)
        connection.execute(recipients.update().where(recipients.c.id == recipient_id).values(letter_no=printed[:40]))
    now = utcnow()
    for new, olds in MOVED.items():
        if new in stored:
            for key in olds:
                connection.execute(
                    settings.insert().values(key=key, value=stored[new], updated_at=now, updated_by="0012")
                )
    connection.execute(settings.delete().where(settings.c.key.in_([*MOVED, *NEW_KEYS])))
    connection.execute(counters.delete().where(counters.c.name.like("LETTER:%")))
    with op.batch_alter_table("wg_forward_recipients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_wg_forward_recipients_letter_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_wg_forward_recipients_letter_id_letters"), type_="foreignkey")
        batch_op.drop_column("letter_id")
    with op.batch_alter_table("rp_letters", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_rp_letters_letter_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_rp_letters_letter_id_letters"), type_="foreignkey")
        batch_op.drop_column("letter_id")
    op.drop_table("letters")
