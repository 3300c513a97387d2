"""The admin web's forms; every one carries Flask-WTF's CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from bot.admin import texts
from bot.auth import MIN_PASSWORD_LENGTH
from models import Role
from models.districts import DISTRICTS
from texts import letters as letter_texts
from texts import office as office_texts

REQUIRED = DataRequired(message=texts.FIELD_REQUIRED)
PASSWORD_LENGTH = Length(min=MIN_PASSWORD_LENGTH, message=texts.PASSWORD_TOO_SHORT.format(length=MIN_PASSWORD_LENGTH))
ROLE_CHOICES = [SelectChoice(role.value, texts.ROLE_LABELS[role]) for role in Role]
DISTRICT_CHOICES = [SelectChoice(name) for name in DISTRICTS]


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("ชื่อผู้ใช้", validators=[REQUIRED, Length(max=80)])
    password = PasswordField("รหัสผ่าน", validators=[REQUIRED, Length(max=200)])
    next = HiddenField()


class StaffCreateForm(FlaskForm):
    """A new staff account."""

    username = StringField("ชื่อผู้ใช้ (อังกฤษตัวเล็ก)", validators=[REQUIRED, Length(min=3, max=80)])
    full_name = StringField("ชื่อ–นามสกุล", validators=[Optional(), Length(max=200)])
    role = SelectField("บทบาท", choices=ROLE_CHOICES, default=Role.VIEWER.value)
    districts = CheckboxListField("เขตที่รับผิดชอบ (เฉพาะเจ้าหน้าที่สำนักงานเขต)", choices=DISTRICT_CHOICES)
    password = PasswordField("รหัสผ่าน", validators=[REQUIRED, PASSWORD_LENGTH])
    password_confirm = PasswordField(
        "ยืนยันรหัสผ่าน", validators=[REQUIRED, EqualTo("password", message=texts.PASSWORDS_DIFFER)]
    )


class StaffEditForm(FlaskForm):
    """Changes to a staff account; a blank password keeps the current one."""

    full_name = StringField("ชื่อ–นามสกุล", validators=[Optional(), Length(max=200)])
    role = SelectField("บทบาท", choices=ROLE_CHOICES)
    districts = CheckboxListField("เขตที่รับผิดชอบ (เฉพาะเจ้าหน้าที่สำนักงานเขต)", choices=DISTRICT_CHOICES)
    new_password = PasswordField("รหัสผ่านใหม่ (เว้นว่างถ้าไม่เปลี่ยน)", validators=[Optional(), PASSWORD_LENGTH])
    password_confirm = PasswordField(
        "ยืนยันรหัสผ่านใหม่", validators=[EqualTo("new_password", message=texts.PASSWORDS_DIFFER)]
    )


class TokenForm(FlaskForm):
    """A new API token for a staff account."""

    name = StringField("ชื่อโทเค็น (เช่น ระบบรายงานของเขต)", validators=[REQUIRED, Length(max=100)])


class MemberEditForm(FlaskForm):
    """Corrections to a network member (admin and secretariat); a blank field erases it."""

    full_name = StringField("ชื่อ–นามสกุล", validators=[Optional(), Length(max=100)])
    phone = StringField("โทรศัพท์", validators=[Optional(), Length(max=20)])
    occupation = SelectField("กลุ่มอาชีพ", choices=[])
    district = SelectField("เขต", choices=[SelectChoice("", "– ไม่ระบุ –"), *DISTRICT_CHOICES])


class GroupCodeForm(FlaskForm):
    """A one-time code to register a LINE group: its name, purpose, occupational group and validity."""

    name = StringField("ชื่อกลุ่ม", validators=[REQUIRED, Length(max=200)])
    purpose = SelectField("ประเภทกลุ่ม", choices=[])
    occupation = SelectField("กลุ่มอาชีพหลักของสมาชิก", choices=[])
    days = SelectField(
        "ใช้ได้ภายใน",
        choices=[SelectChoice(str(days), f"{days} วัน") for days in (1, 3, 7, 14, 30)],
        default="7",
        coerce=int,
    )


class OfficeForm(FlaskForm):
    """The office profile (admin and secretariat); services/office.py checks every field and answers in Thai."""

    district = SelectField(
        office_texts.LABELS["district"][0],
        choices=[SelectChoice("", "– เลือกเขต –"), *DISTRICT_CHOICES],
        validate_choice=False,
    )
    office_name = StringField(office_texts.LABELS["office_name"][0])
    address = TextAreaField(office_texts.LABELS["address"][0])
    phone = StringField(office_texts.LABELS["phone"][0])
    letter_prefix = StringField(office_texts.LABELS["letter_prefix"][0])
    signatory_name = StringField(office_texts.LABELS["signatory_name"][0])
    signatory_position = StringField(office_texts.LABELS["signatory_position"][0])
    secretariat_unit = StringField(office_texts.LABELS["secretariat_unit"][0])
    thai_digits = BooleanField(office_texts.LABELS["thai_digits"][0])


class LetterTemplatesForm(FlaskForm):
    """The letters' bodies per kind (services/office.py checks the placeholders); blank keeps the built-in text."""

    coordination = TextAreaField(letter_texts.TEMPLATE_LABELS["coordination"])
    forward_reports = TextAreaField(letter_texts.TEMPLATE_LABELS["forward_reports"])
    forward_meeting = TextAreaField(letter_texts.TEMPLATE_LABELS["forward_meeting"])
