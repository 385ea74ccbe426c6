"""The file format of the staff sheet: its columns, headers, value labels and limits."""

from __future__ import annotations

from dataclasses import dataclass

from opentemis.core.text import fold
from opentemis.staff.models import EmploymentStatus, Qualification

# ---------------------------------------------------------------------------------------------
# The file format
# ---------------------------------------------------------------------------------------------

DATA_SHEET = "Danh sách cán bộ"
HELP_SHEET = "Hướng dẫn"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BATCH = 2000
HEADER_SEARCH_ROWS = 10
MAX_CELL_CHARS = 500


@dataclass(frozen=True)
class Column:
    """One column of the staff sheet: its key, its header (a fixed Vietnamese string) and width."""

    key: str
    header: str
    width: int
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("staff_code", "Mã cán bộ", 16, ("ma dinh danh", "ma gv", "staff code")),
    Column("full_name", "Họ và tên", 30, ("ho ten", "full name")),
    Column("gender", "Giới tính", 10, ("gender",)),
    Column("date_of_birth", "Ngày sinh", 14, ("ngay thang nam sinh", "date of birth")),
    Column("ethnicity", "Dân tộc", 14, ("ethnicity",)),
    Column("phone", "Điện thoại", 15, ("so dien thoai", "dien thoai di dong", "phone")),
    Column("email", "Email", 28, ("e-mail", "thu dien tu")),
    Column("qualification", "Trình độ", 14, ("trinh do dao tao", "qualification")),
    Column("positions", "Chức vụ", 18, ("positions", "position")),
    Column("subjects", "Môn dạy", 18, ("mon", "subjects", "subject")),
    Column("subject_group", "Tổ chuyên môn", 24, ("to", "subject group")),
    Column("unit_code", "Mã đơn vị", 14, ("unit code",)),
    Column("status", "Trạng thái", 16, ("tinh trang", "status")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
TEXT_COLUMNS = ("staff_code", "date_of_birth", "phone")  # kept as text so leading zeros survive

GENDER_LABELS: dict[str, str] = {"M": "Nam", "F": "Nữ"}
QUALIFICATION_LABELS: dict[str, str] = {
    Qualification.BELOW_COLLEGE: "Trung cấp",
    Qualification.COLLEGE: "Cao đẳng",
    Qualification.BACHELOR: "Đại học",
    Qualification.MASTER: "Thạc sĩ",
    Qualification.DOCTOR: "Tiến sĩ",
    Qualification.OTHER: "Khác",
}
STATUS_LABELS: dict[str, str] = {
    EmploymentStatus.WORKING: "Đang công tác",
    EmploymentStatus.ON_LEAVE: "Tạm nghỉ",
    EmploymentStatus.RETIRED: "Nghỉ hưu",
    EmploymentStatus.LEFT: "Thôi việc",
}


def _vocabulary(labels: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """Folded spellings accepted for a choice: the Vietnamese label, the stored code, synonyms."""
    vocab = {fold(label): code for code, label in labels.items()}
    vocab.update({fold(code): code for code in labels})
    vocab.update(extra)
    return vocab


# Synonyms seen in real lists, and the English words for users of the English interface.
GENDERS = _vocabulary(GENDER_LABELS, {"male": "M", "female": "F"})
QUALIFICATIONS = _vocabulary(
    QUALIFICATION_LABELS,
    {
        "cu nhan": "dai_hoc", "thac sy": "thac_si", "tien sy": "tien_si", "vocational": "trung_cap",
        "college": "cao_dang", "bachelor": "dai_hoc", "master": "thac_si", "doctorate": "tien_si",
        "other": "khac",
    },
)  # fmt: skip
STATUSES = _vocabulary(
    STATUS_LABELS,
    {
        "dang lam viec": "working", "nghi viec": "left", "da nghi viec": "left",
        "working": "working", "on leave": "on_leave", "retired": "retired", "left": "left",
    },
)  # fmt: skip

# Person fields compared and written by the import (the rest are derived or keys).
PERSON_FIELDS = (
    "full_name", "gender", "date_of_birth", "ethnicity", "phone", "email", "qualification",
    "employment_status",
)  # fmt: skip
