"""Reference lists (positions, subjects, school levels) loaded by a data migration.

Kept as data so a deployment can add a subject or a position without a code change.
"""

from __future__ import annotations

from typing import Any

SCHOOL_LEVELS = [
    ("MN", "Mầm non"),
    ("TH", "Tiểu học"),
    ("THCS", "Trung học cơ sở"),
    ("THPT", "Trung học phổ thông"),
    ("GDTX", "Giáo dục thường xuyên"),
]

# (code, name, is_manager)
POSITIONS = [
    ("HT", "Hiệu trưởng", True),
    ("PHT", "Phó hiệu trưởng", True),
    ("TTCM", "Tổ trưởng chuyên môn", False),
    ("TPCM", "Tổ phó chuyên môn", False),
    ("GV", "Giáo viên", False),
    ("TPT", "Tổng phụ trách Đội", False),
    ("NV", "Nhân viên", False),
    ("CV", "Chuyên viên", False),
    ("GD", "Giám đốc", True),
    ("PGD", "Phó giám đốc", True),
    ("GVSP", "Giảng viên sư phạm", False),
]

# The head of a school (Hiệu trưởng) or of a GDTX centre (Giám đốc): whom staff turn to.
HEAD_POSITIONS = ("HT", "GD")

SUBJECTS = [
    ("MN", "Giáo dục mầm non"),
    ("TH", "Giáo viên tiểu học (dạy nhiều môn)"),
    ("TOAN", "Toán"),
    ("VAN", "Ngữ văn"),
    ("ANH", "Tiếng Anh"),
    ("LY", "Vật lí"),
    ("HOA", "Hóa học"),
    ("SINH", "Sinh học"),
    ("KHTN", "Khoa học tự nhiên"),
    ("SU", "Lịch sử"),
    ("DIA", "Địa lí"),
    ("LSDL", "Lịch sử và Địa lí"),
    ("GDCD", "Giáo dục công dân / GD kinh tế và pháp luật"),
    ("TIN", "Tin học"),
    ("CN", "Công nghệ"),
    ("GDTC", "Giáo dục thể chất"),
    ("AN", "Âm nhạc"),
    ("MT", "Mĩ thuật"),
    ("HDTN", "Hoạt động trải nghiệm, hướng nghiệp"),
    ("QPAN", "Giáo dục quốc phòng và an ninh"),
    ("TDT", "Tiếng dân tộc thiểu số"),
    ("NN2", "Ngoại ngữ khác"),
    ("KHAC", "Khác"),
]


def load_reference_data(apps: Any, schema_editor: Any = None) -> None:
    SchoolLevel = apps.get_model("orgs", "SchoolLevel")
    Position = apps.get_model("staff", "Position")
    Subject = apps.get_model("staff", "Subject")
    for order, (code, name) in enumerate(SCHOOL_LEVELS):
        SchoolLevel.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for order, (code, name, is_manager) in enumerate(POSITIONS):
        Position.objects.update_or_create(
            code=code, defaults={"name": name, "is_manager": is_manager, "order": order}
        )
    for order, (code, name) in enumerate(SUBJECTS):
        Subject.objects.update_or_create(code=code, defaults={"name": name, "order": order})
