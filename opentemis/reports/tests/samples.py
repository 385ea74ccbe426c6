"""A hand-built ReportData for tests of the outputs (page, PDF, xlsx, API shape)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opentemis.reports.data import (
    Breakdown,
    ChildRow,
    CompletionRow,
    CriterionRow,
    NeedRow,
    RatingRow,
    ReportData,
    Section,
    StaffRow,
    StaffTable,
    YearFigures,
)


def b(total: int, women: int, dtts: int | None, women_dtts: int | None, dis: int) -> Breakdown:
    return Breakdown(total, women, dtts, women_dtts, dis)


def sample_report() -> ReportData:
    teachers = Section(
        population="GV",
        title="Giáo viên (Thông tư 20/2018)",
        completion=[
            CompletionRow(
                "",
                "Tất cả các cấp",
                b(120, 90, 12, 8, 30),
                b(110, 84, 11, 7, 27),
                b(100, 80, 10, 6, 25),
                b(96, 76, 10, 6, 24),
            ),
            CompletionRow(
                "TH",
                "Tiểu học",
                b(70, 60, 7, 5, 20),
                b(66, 57, 7, 5, 18),
                b(60, 52, 6, 4, 17),
                b(58, 50, 6, 4, 16),
            ),
            CompletionRow(
                "THCS",
                "Trung học cơ sở",
                b(50, 30, 5, None, 10),
                b(44, 27, 4, None, 9),
                b(40, 28, 4, None, 8),
                b(38, 26, None, None, 8),
            ),
        ],
        ratings=[
            RatingRow(
                "",
                "Tất cả các cấp",
                b(96, 76, 10, 6, 24),
                {
                    "ChuaDat": b(2, 1, None, None, 1),
                    "Dat": b(20, 15, 4, None, 6),
                    "Kha": b(44, 35, 4, None, 10),
                    "Tot": b(30, 25, None, None, 7),
                },
            ),
        ],
        criteria=[
            CriterionRow(n, f"Tiêu chí {n}", {"ChuaDat": 1, "Dat": 20, "Kha": 45, "Tot": 30})
            for n in range(1, 16)
        ],
        needs_by_criterion=[
            NeedRow("9", "Tiêu chí 9. Ứng dụng CNTT", 31),
            NeedRow("15", "Tiêu chí 15. Ứng dụng ngoại ngữ", 22),
        ],
        needs_by_module=[NeedRow("GVPT09", "Mô đun 9", 31)],
    )
    managers = Section(population="CBQL", title="Cán bộ quản lý (Thông tư 14/2018)")
    return ReportData(
        unit_id=1,
        unit_code="SA",
        unit_name="Sở GD&ĐT Tỉnh An",
        unit_kind="department",
        school_year="2025-2026",
        as_of=timezone.make_aware(dt.datetime(2026, 5, 20, 9, 30)),
        min_cell=5,
        teachers=teachers,
        managers=managers,
        staff=[
            StaffTable(
                "level",
                "Theo cấp học",
                [
                    StaffRow("TH", "Tiểu học", b(70, 60, 7, 5, 20)),
                    StaffRow("THCS", "Trung học cơ sở", b(50, 30, 5, None, 10)),
                ],
            )
        ],
        children=[
            ChildRow(2, "SA-X1", "Xã Hòa An", "commune", 80, 75, 70, 87.5, 1, "A"),
            ChildRow(3, "SA-X2", "Xã Bình Yên", "commune", 40, 30, 26, 65.0, 2, "B"),
        ],
        years=[
            YearFigures(
                "2024-2025", 118, 100, 84.7, {"ChuaDat": 3, "Dat": 25, "Kha": 42, "Tot": 30}
            ),
            YearFigures(
                "2025-2026", 120, 96, 80.0, {"ChuaDat": 2, "Dat": 20, "Kha": 44, "Tot": 30}
            ),
        ],
    )
