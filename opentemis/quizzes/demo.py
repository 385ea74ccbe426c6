# ruff: noqa: E501, RUF001
"""Demo data: the question bank of module GVPT 06 “Kiểm tra, đánh giá học sinh theo hướng
phát triển phẩm chất, năng lực” and its final test (the lead's demo dataset calls
:func:`demo_bank`). Idempotent: every question has a stable key, so a second run adds nothing.

The questions follow Thông tư 22/2021/TT-BGDĐT (assessment of lower and upper secondary
students) and the module's contents; they are demo content, not an official test.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from opentemis.learning.models import Activity
from opentemis.quizzes import services
from opentemis.quizzes.models import Quiz
from opentemis.training.models import Module

S, M, TF, N, T = "single", "multiple", "truefalse", "numeric", "short"


def _c(*options: str) -> dict[str, Any]:
    """Options; the correct ones start with “*”."""
    return {"choices": [{"text": o.lstrip("*"), "correct": o.startswith("*")} for o in options]}


PRINCIPLES = "Quan điểm và nguyên tắc đánh giá"
METHODS = "Phương pháp và công cụ đánh giá"
RULES = "Đánh giá theo Thông tư 22/2021"

QUESTIONS: list[tuple[str, str, str, dict[str, Any], str]] = [
    (PRINCIPLES, S, "Mục đích chủ yếu của đánh giá theo hướng phát triển phẩm chất, năng lực là gì?",
     _c("Xếp hạng học sinh trong lớp",
        "*Cung cấp thông tin để học sinh tiến bộ và giáo viên điều chỉnh dạy học",
        "Chọn học sinh giỏi đi thi", "Kiểm tra việc ghi nhớ kiến thức"),
     "Đánh giá vì sự tiến bộ của học sinh, không nhằm so sánh học sinh với nhau."),
    (PRINCIPLES, M, "Những nguyên tắc nào cần bảo đảm khi đánh giá học sinh?",
     _c("*Chính xác, toàn diện", "*Công bằng, trung thực, khách quan",
        "Chỉ dựa vào bài kiểm tra cuối kì", "*Kết hợp đánh giá thường xuyên và định kì"), ""),
    (PRINCIPLES, TF, "Học sinh được tham gia tự đánh giá và đánh giá lẫn nhau trong quá trình học.",
     {"answer": True}, "Tự đánh giá và đánh giá đồng đẳng giúp học sinh hình thành năng lực tự học."),
    (PRINCIPLES, S, "“Đánh giá vì học tập” được thực hiện chủ yếu khi nào?",
     _c("Chỉ vào cuối năm học", "*Trong suốt quá trình dạy học",
        "Chỉ khi thi tuyển sinh", "Chỉ khi học sinh yêu cầu"), ""),
    (PRINCIPLES, TF, "Đánh giá năng lực chỉ cần đo mức độ ghi nhớ kiến thức của học sinh.",
     {"answer": False}, "Năng lực được đánh giá qua việc vận dụng kiến thức, kĩ năng vào tình huống."),
    (PRINCIPLES, T, "Hình thức đánh giá diễn ra trong quá trình dạy học, nhằm hỗ trợ học sinh tiến "
     "bộ kịp thời, gọi là đánh giá gì? (hai từ)",
     {"answers": [{"text": "thường xuyên"}, {"text": "đánh giá thường xuyên"}]}, ""),
    (PRINCIPLES, M, "Thông tin phản hồi sau đánh giá thường xuyên nên có những đặc điểm nào?",
     _c("*Cụ thể, chỉ rõ điều học sinh làm tốt", "*Gợi ý cách cải thiện",
        "Chỉ ghi điểm số", "So sánh với bạn giỏi nhất lớp"), ""),
    (METHODS, S, "Công cụ nào liệt kê các tiêu chí và mô tả các mức độ đạt được của mỗi tiêu chí?",
     _c("Bảng kiểm", "*Phiếu đánh giá theo tiêu chí", "Câu hỏi đóng", "Sổ điểm"), ""),
    (METHODS, S, "Bảng kiểm thường dùng để ghi nhận điều gì?",
     _c("*Có hay không có một biểu hiện, hành vi", "Điểm trung bình môn",
        "Thứ hạng của học sinh", "Ý kiến của cha mẹ học sinh"), ""),
    (METHODS, M, "Những phương pháp nào là phương pháp đánh giá thường xuyên?",
     _c("*Quan sát", "*Hỏi – đáp", "*Đánh giá qua sản phẩm học tập", "Thi tuyển sinh"), ""),
    (METHODS, TF, "Hồ sơ học tập giúp theo dõi sự tiến bộ của học sinh theo thời gian.",
     {"answer": True}, ""),
    (METHODS, S, "Khi đánh giá một sản phẩm dự án của nhóm, công cụ phù hợp nhất là:",
     _c("Câu hỏi trắc nghiệm một lựa chọn", "*Phiếu đánh giá theo tiêu chí",
        "Bài kiểm tra 15 phút", "Điểm danh"), ""),
    (METHODS, M, "Khi xây dựng ma trận đề kiểm tra định kì, giáo viên cần xác định:",
     _c("*Các mạch nội dung cần kiểm tra", "*Mức độ nhận thức (biết, hiểu, vận dụng)",
        "*Số câu hỏi và điểm số cho mỗi phần", "Tên học sinh sẽ đạt điểm cao"), ""),
    (METHODS, TF, "Câu hỏi tự luận không thể dùng để đánh giá năng lực giải quyết vấn đề.",
     {"answer": False}, ""),
    (RULES, S, "Theo Thông tư 22/2021, môn Giáo dục thể chất được đánh giá bằng hình thức nào?",
     _c("Điểm số", "*Nhận xét (Đạt / Chưa đạt)", "Xếp loại A, B, C", "Không đánh giá"), ""),
    (RULES, N, "Một môn học có 3 điểm đánh giá thường xuyên 8, 7, 9; điểm giữa kì 6; điểm cuối kì "
     "7. Điểm trung bình môn học kì (chưa làm tròn) là bao nhiêu?",
     {"answers": [{"value": "7.125", "tolerance": "0.005"}]},
     "(8 + 7 + 9 + 2×6 + 3×7) : (3 + 5) = 57 : 8 = 7,125."),
    (RULES, N, "Điểm trung bình môn học kì I là 6,0 và học kì II là 7,5. Điểm trung bình môn cả "
     "năm là bao nhiêu?",
     {"answers": [{"value": "7", "tolerance": "0.01"}]}, "(6,0 + 2×7,5) : 3 = 7,0."),
    (RULES, S, "Kết quả học tập của học sinh trong từng học kì và cả năm được đánh giá theo mấy mức?",
     _c("2 mức", "3 mức", "*4 mức: Tốt, Khá, Đạt, Chưa đạt", "5 mức"), ""),
    (RULES, N, "Với môn học có trên 70 tiết/năm học, mỗi học kì có bao nhiêu điểm đánh giá thường "
     "xuyên?",
     {"answers": [{"value": "4", "tolerance": "0"}]}, ""),
    (RULES, T, "Kết quả rèn luyện của học sinh được đánh giá theo 4 mức: Tốt, Khá, Đạt và mức nào?",
     {"answers": [{"text": "Chưa đạt"}]}, ""),
]  # fmt: skip

DRAWS = {PRINCIPLES: 3, METHODS: 4, RULES: 3}


@transaction.atomic
def demo_bank(*, module: Module | None, activity: Activity) -> Quiz:
    """The bank of the course's module (``module``: the catalogue module it teaches, for the
    bank's title when the course names none) with 20 questions in 3 categories, and the quiz of
    ``activity`` (kind "quiz") drawing 10 of them: 20 minutes, 2 attempts, the highest grade,
    the school year's pass mark."""
    bank = services.bank_for(activity.course)
    if module is not None and not bank.title:
        bank.title = module.title[:500]
        bank.save(update_fields=["title"])
    categories = {name: services.category_get_or_add(bank=bank, name=name) for name in DRAWS}
    for number, (category, kind, text, data, feedback) in enumerate(QUESTIONS, start=1):
        services.question_put(
            actor=None,
            bank=bank,
            category=categories[category],
            draft=services.Draft(kind=kind, text=text, data=data, feedback=feedback),
            key=f"demo:gvpt06-{number:02d}",
        )
    return services.quiz_setup(
        actor=None,
        activity=activity,
        draws=[{"category": categories[name].pk, "count": n} for name, n in DRAWS.items()],
        time_limit=20,
        attempts=2,
        grading="highest",
        pass_mark=None,
        shuffle=True,
    )
