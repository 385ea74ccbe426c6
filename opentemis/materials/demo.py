"""Demo material for module GVPT 06 "Kiểm tra, đánh giá học sinh theo hướng phát triển phẩm
chất, năng lực": an introduction page and a short video made by the project
(``demo_media/README.md`` says how). The lead's demo builder calls these on activities of kind
"page" and "video" it created; both run without an actor (the demo is built in the system
scope) and may be called again (the page is rewritten, the video replaced).
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.base import ContentFile

from opentemis.learning.models import Activity
from opentemis.materials import services
from opentemis.materials.models import Page, Video

DEMO_VIDEO = Path(__file__).parent / "demo_media" / "gvpt06-gioi-thieu.mp4"

INTRODUCTION = """
<h2>Giới thiệu mô-đun</h2>
<p>Mô-đun <strong>GVPT 06</strong> giúp thầy cô chuyển từ kiểm tra kiến thức sang
<em>đánh giá sự phát triển phẩm chất, năng lực</em> của học sinh, theo Chương trình giáo dục
phổ thông 2018 và các thông tư về đánh giá học sinh (Thông tư 27/2020/TT-BGDĐT ở tiểu học,
Thông tư 22/2021/TT-BGDĐT ở trung học).</p>
<h3>Mục tiêu</h3>
<p>Sau khi học xong mô-đun, thầy cô có thể:</p>
<ul>
<li>phân biệt đánh giá thường xuyên và đánh giá định kì, đánh giá vì học tập và đánh giá
kết quả học tập;</li>
<li>xây dựng ma trận, bản đặc tả và đề kiểm tra theo yêu cầu cần đạt của môn học;</li>
<li>sử dụng các phương pháp và công cụ đánh giá: quan sát, hồ sơ học tập, sản phẩm học tập,
bảng kiểm, thang đo, phiếu đánh giá theo tiêu chí (<span lang="en">rubric</span>);</li>
<li>sử dụng kết quả đánh giá để phản hồi cho học sinh và điều chỉnh việc dạy học.</li>
</ul>
<h3>Nội dung và thời lượng</h3>
<table>
<thead><tr><th scope="col">Phần</th><th scope="col">Nội dung</th>
<th scope="col">Số tiết</th></tr></thead>
<tbody>
<tr><td>1</td><td>Những vấn đề chung về kiểm tra, đánh giá theo hướng phát triển phẩm chất,
năng lực</td><td>3</td></tr>
<tr><td>2</td><td>Phương pháp và công cụ đánh giá</td><td>4</td></tr>
<tr><td>3</td><td>Xây dựng kế hoạch kiểm tra, đánh giá và đề kiểm tra</td><td>5</td></tr>
<tr><td>4</td><td>Sử dụng kết quả đánh giá để đổi mới dạy học</td><td>3</td></tr>
</tbody>
</table>
<h3>Cách học</h3>
<ol>
<li>Đọc trang giới thiệu này và xem video mở đầu (khoảng nửa phút).</li>
<li>Học lần lượt các phần; mỗi phần có tài liệu đọc, video và câu hỏi tự kiểm tra.</li>
<li>Làm bài kiểm tra cuối mô-đun và nộp sản phẩm cuối khóa: một kế hoạch kiểm tra, đánh giá
cho một chủ đề của môn mình dạy.</li>
</ol>
<blockquote>Đánh giá không chỉ để xếp loại mà trước hết để giúp học sinh tiến bộ.</blockquote>
<p>Tài liệu tham khảo: <a href="https://moet.gov.vn">Cổng thông tin điện tử Bộ Giáo dục và
Đào tạo</a>.</p>
"""


def demo_page(*, activity: Activity) -> Page:
    """The introduction page of GVPT 06 on ``activity`` (of kind "page")."""
    return services.page_save(actor=None, activity=activity, body=INTRODUCTION)


def demo_video(*, activity: Activity) -> Video:
    """The project's own short title-card video on ``activity`` (of kind "video")."""
    content = ContentFile(DEMO_VIDEO.read_bytes(), name="gvpt06-gioi-thieu.mp4")
    return services.video_upload(actor=None, activity=activity, uploaded_file=content)
