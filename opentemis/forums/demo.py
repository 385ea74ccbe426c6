"""Demo data of the forum, for the lead's demo command (run in the system scope): a few
realistic questions of GVPT 06's learners with replies, one with its answer marked."""

from __future__ import annotations

from opentemis.accounts.models import User
from opentemis.forums import access, services
from opentemis.forums.models import Forum, Thread
from opentemis.learning.models import Activity

INTRO = (
    "Nơi trao đổi với giảng viên cốt cán và đồng nghiệp về mô-đun. Đặt câu hỏi rõ ràng, "
    "một vấn đề mỗi câu hỏi; xem các câu hỏi đã có trước khi hỏi."
)

THREADS = [
    (
        "Ma trận đề kiểm tra và bảng đặc tả khác nhau thế nào?",
        "Em đang làm sản phẩm cuối khóa, chưa rõ ma trận đề và bảng đặc tả khác nhau ở điểm "
        "nào. Có cần làm cả hai không ạ?",
        [
            "Ma trận cho biết số câu, số điểm theo từng mức độ và nội dung; bảng đặc tả mô tả "
            "cụ thể mỗi câu hỏi đánh giá yêu cầu cần đạt nào. Sản phẩm cần có cả hai.",
            "Cảm ơn thầy, em đã hiểu. Mẫu tham khảo ở Công văn 7991/BGDĐT-GDTrH: "
            "https://moet.gov.vn",
        ],
        0,  # the first reply is the answer
    ),
    (
        "Có thể dùng bảng tiêu chí thay cho bài kiểm tra viết không?",
        "Chủ đề của tôi thiên về thực hành (làm mô hình). Tôi định đánh giá bằng bảng tiêu chí và "
        "bảng kiểm, không có bài kiểm tra viết. Như vậy có đạt yêu cầu không?",
        [
            "Được, miễn là công cụ gắn với yêu cầu cần đạt và có hướng dẫn sử dụng rõ ràng.",
        ],
        None,
    ),
    (
        "Hạn nộp sản phẩm cuối khóa",
        "Cho mình hỏi hạn nộp sản phẩm là ngày nào? Nộp muộn có được chấm không?",
        [],
        None,
    ),
]


def demo_forum(*, activity: Activity, people: list[User]) -> Forum:
    """The forum's settings and a few threads: ``people[0]`` answers (a grader or the course's
    officer), the others ask and reply (learners enrolled in the course)."""
    forum = services.forum_save(actor=None, activity=activity, intro=INTRO, min_posts=1)
    if len(people) < 2:
        return forum
    answerer, learners = people[0], people[1:]
    for index, (title, body, replies, answer_at) in enumerate(THREADS):
        asker = learners[index % len(learners)]
        viewer = access.forum_viewer(asker, activity.pk)
        thread = services.thread_create(
            viewer=viewer, title=title, body=body, token=f"demo-{activity.pk}-{index}"
        )
        posted = []
        for number, text in enumerate(replies):
            who = answerer if number % 2 == 0 else asker
            posted.append(
                services.post_create(
                    viewer=access.forum_viewer(who, activity.pk),
                    thread=Thread.objects.get(pk=thread.pk),
                    body=text,
                    token=f"demo-{activity.pk}-{index}-{number}",
                )
            )
        if answer_at is not None and posted:
            services.answer_mark(viewer=viewer, post=posted[answer_at])
    return forum
