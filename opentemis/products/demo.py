"""Demo data of the final product, for the lead's demo command (which runs in the system
scope): the settings of GVPT 06's final product, and helpers that put learners at every stage
(nothing handed in, waiting, Chưa đạt then handed in again, Đạt)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from opentemis.accounts.models import User
from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity, Enrolment
from opentemis.products import services
from opentemis.products.models import Product, Submission

INSTRUCTIONS = (
    "Xây dựng kế hoạch kiểm tra, đánh giá một chủ đề dạy học của môn học anh/chị đang"
    " giảng dạy, theo hướng đánh giá phẩm chất và năng lực học sinh (Thông tư "
    "22/2021/TT-BGDĐT hoặc Thông tư 27/2020/TT-BGDĐT tùy cấp học).\n"
    "\n"
    "Kế hoạch gồm:\n"
    "1. Tên chủ đề, lớp, số tiết; các yêu cầu cần đạt của chủ đề.\n"
    "2. Ma trận và bảng đặc tả đề kiểm tra (hoặc nhiệm vụ đánh giá) gắn với yêu cầu "
    "cần đạt.\n"
    "3. Các hình thức và công cụ đánh giá: câu hỏi, bài tập, phiếu quan sát, bảng "
    "kiểm, thang đo, bảng tiêu chí.\n"
    "4. Cách sử dụng kết quả đánh giá để phản hồi và điều chỉnh việc dạy học.\n"
    "\n"
    "Nộp một tệp Word hoặc PDF (không quá 10 MB) hoặc soạn trực tiếp vào ô văn bản. "
    "Cốt cán chấm Đạt / Chưa đạt theo 4 tiêu chí dưới đây; nếu Chưa đạt, anh/chị "
    "chỉnh sửa theo nhận xét và nộp lại."
)

RUBRIC = [
    {
        "title": "Xác định yêu cầu cần đạt",
        "description": "Yêu cầu cần đạt của chủ đề được nêu đúng theo chương trình, rõ ràng, "
        "đo lường được.",
    },
    {
        "title": "Ma trận, bảng đặc tả",
        "description": "Ma trận và bảng đặc tả bám sát yêu cầu cần đạt, phân bố hợp lý các "
        "mức độ nhận biết, thông hiểu, vận dụng.",
    },
    {
        "title": "Công cụ đánh giá",
        "description": "Công cụ đa dạng, phù hợp (câu hỏi, bài tập, bảng kiểm, bảng tiêu chí), có "
        "hướng dẫn sử dụng và đáp án hoặc tiêu chí chấm.",
    },
    {
        "title": "Sử dụng kết quả đánh giá",
        "description": "Nêu được cách phản hồi cho học sinh và điều chỉnh hoạt động dạy học "
        "từ kết quả đánh giá.",
    },
]

SAMPLE_TEXT = (
    'KẾ HOẠCH KIỂM TRA, ĐÁNH GIÁ CHỦ ĐỀ "PHÂN SỐ" - TOÁN LỚP 4 (8 tiết)\n'
    "\n"
    "1. Yêu cầu cần đạt: nhận biết phân số, đọc và viết được phân số; so sánh hai "
    "phân số cùng mẫu số; giải được bài toán thực tế đơn giản liên quan đến phân số.\n"
    "2. Bảng đặc tả: 6 câu nhận biết, 3 câu thông hiểu, 1 bài vận dụng (chia bánh cho"
    " các bạn trong tổ).\n"
    "3. Công cụ: phiếu bài tập, bảng kiểm quan sát hoạt động nhóm, bảng tiêu chí đánh giá "
    "bài trình bày.\n"
    "4. Sử dụng kết quả: nhận xét bằng lời trong giờ học, phiếu phản hồi cho từng em,"
    " tổ chức ôn lại cho nhóm chưa hoàn thành."
)

COMMENTS_FAILED = (
    "Kế hoạch có cấu trúc tốt. Cần bổ sung bảng đặc tả gắn từng câu hỏi với yêu cầu cần đạt "
    "và nêu rõ cách dùng kết quả đánh giá để điều chỉnh dạy học. Anh/chị chỉnh sửa và nộp lại."
)
COMMENTS_PASSED = (
    "Kế hoạch đầy đủ, công cụ đánh giá đa dạng và phù hợp với học sinh lớp 4. Đạt yêu cầu."
)


def demo_product(*, activity: Activity) -> Product:
    """GVPT 06's final product: the instructions and a four-criterion rubric."""
    return services.product_save(
        actor=None,
        activity=activity,
        instructions=INSTRUCTIONS,
        rubric=RUBRIC,
        accepts_text=True,
        accepts_file=True,
        resubmit_until_pass=True,
    )


def _enrolment(activity: Activity, learner: User) -> Enrolment:
    return Enrolment.objects.select_related("person").get(
        course_id=activity.course_id, person_id=learner.person_id or 0
    )


def demo_submit(*, activity: Activity, learner: User, text: str = SAMPLE_TEXT) -> Submission:
    """``learner`` (an account with a person enrolled in the course) hands in a text."""
    return services.submission_submit(
        actor=learner, activity=activity, enrolment=_enrolment(activity, learner), text=text
    )


def demo_grade(
    *,
    grader: User,
    submission: Submission,
    passed: bool,
    score: Decimal | str | None = None,
    comments: str = "",
) -> Submission:
    """``grader`` (an officer of the course, or a grader set for the learner) grades it."""
    remarks: list[Any] = (
        ["Đúng chương trình.", "Bám sát yêu cầu.", "Đa dạng, phù hợp.", "Rõ ràng."]
        if passed
        else ["Đúng chương trình.", "Thiếu bảng đặc tả.", "Phù hợp.", "Chưa nêu cách điều chỉnh."]
    )
    return services.submission_grade(
        actor=grader,
        submission=submission,
        passed=passed,
        score=score if score is not None else ("8.5" if passed else "4"),
        comments=comments or (COMMENTS_PASSED if passed else COMMENTS_FAILED),
        remarks=remarks,
    )


def demo_stages(*, activity: Activity, grader: User, learners: list[User]) -> None:
    """Put the learners at the stages in turn: waiting; Chưa đạt; Chưa đạt then handed in
    again (waiting); Đạt; the rest hand nothing in."""
    for index, learner in enumerate(learners[:4]):
        submission = demo_submit(activity=activity, learner=learner)
        if index == 0:
            continue
        if index == 3:
            demo_grade(grader=grader, submission=submission, passed=True)
            continue
        demo_grade(grader=grader, submission=submission, passed=False)
        if index == 2:
            demo_submit(activity=activity, learner=learner)


# --- the demo's only shortcuts past the services (issue 14's demo, ``site/demo_cascade.py``) ---
# Waiting time and the second-marking draw cannot be chosen through a service: one comes from
# the clock at hand-in, the other from ``secrets``. The demo sets them on the rows it made, as
# the grading tests do (``tests/test_grading_views.py`` ``age``); nothing else calls these.


def demo_overdue(*, submission: Submission, days: float) -> Submission:
    """Let a waiting ``submission`` have waited ``days`` (past the overflow time of
    ``data/grading.yaml``: it is in the overflow pool)."""
    since = timezone.now() - dt.timedelta(days=days)
    with system_scope():
        Submission.objects.filter(pk=submission.pk).update(waiting_since=since)
    submission.waiting_since = since
    return submission


def demo_in_sample(*, submission: Submission) -> Submission:
    """Put a graded ``submission`` in the lecturers' second-marking sample (its draw below the
    sample's share), so the demo's lecturer has one to second-mark whatever ``secrets`` drew."""
    with system_scope():
        Submission.objects.filter(pk=submission.pk).update(draw=0)
    submission.draw = 0
    return submission
