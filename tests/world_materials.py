"""The materials app's things for the route matrix (tests/test_route_matrix.py): each kind a
route of the app takes, built on the shared course (tests/learning_world.py).

* ``materials.page|video|file``: an activity with its material, for the learner teacher A1;
* ``materials.page|video|file.builder``: the same activities, for the course's officer;
* ``materials.asset``: an image of the page (teacher A1 sees it), ``materials.asset.builder``:
  an attachment of the page (the officer deletes it).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = (
    "materials.page",
    "materials.page.builder",
    "materials.video",
    "materials.video.builder",
    "materials.file",
    "materials.file.builder",
    "materials.asset",
    "materials.asset.builder",
)
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "materials_page": {"pk": "materials.page"},
    "materials_page_manage": {"pk": "materials.page.builder"},
    "materials_video": {"pk": "materials.video"},
    "materials_video_manage": {"pk": "materials.video.builder"},
    "materials_file": {"pk": "materials.file"},
    "materials_file_manage": {"pk": "materials.file.builder"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "materials_video_progress": {"pk": "materials.video"},
    "materials_asset_delete": {"pk": "materials.asset.builder"},
    "materials_video_stream": {"pk": "materials.video"},
    "materials_file_download": {"pk": "materials.file"},
    "materials_asset": {"pk": "materials.asset"},
}
#: The API's paths with an id: the path before ``{id}`` (e.g. "/api/v1/learn/attempts/") -> kind.
API_IDS: dict[str, str] = {"/api/v1/learn/videos/": "materials.video"}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it: the learner, or the course's officer)."""
    from opentemis.materials import demo, services
    from opentemis.materials.models import AssetRole
    from opentemis.materials.tests import media

    learner, officer = lw.w.teacher_a1, lw.w.officer_a
    page = lw.activity("page", "Giới thiệu")
    demo.demo_page(activity=page)
    image = services.asset_upload(
        actor=None,
        activity=page,
        role=AssetRole.IMAGE,
        uploaded_file=ContentFile(media.png(), name="so-do.png"),
    )
    attachment = services.asset_upload(
        actor=None,
        activity=page,
        role=AssetRole.ATTACHMENT,
        uploaded_file=ContentFile(media.pdf(), name="tai-lieu.pdf"),
    )
    video = lw.activity("video", "Bài giảng")
    demo.demo_video(activity=video)
    file = lw.activity("file", "Tài liệu đọc thêm")
    services.asset_upload(
        actor=None,
        activity=file,
        role=AssetRole.FILE,
        uploaded_file=ContentFile(media.pdf(), name="doc-them.pdf"),
    )
    return {
        "materials.page": (page.pk, learner),
        "materials.page.builder": (page.pk, officer),
        "materials.video": (video.pk, learner),
        "materials.video.builder": (video.pk, officer),
        "materials.file": (file.pk, learner),
        "materials.file.builder": (file.pk, officer),
        "materials.asset": (image.pk, learner),
        "materials.asset.builder": (attachment.pk, officer),
    }
