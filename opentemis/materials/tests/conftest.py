"""Materials fixtures: province A's course with teacher A1 enrolled (tests/learning_world.py),
a page, a video (the demo MP4) and a file on it; files land in a temporary MEDIA_ROOT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from opentemis.core.scoping import system_scope
from opentemis.learning.models import Activity
from opentemis.materials import demo, services
from opentemis.materials.models import AssetRole
from opentemis.materials.tests import media as files
from tests.factories import PersonFactory, make_user
from tests.learning_world import LearningWorld, make_course


@pytest.fixture(autouse=True)
def media(tmp_path: Any) -> Any:
    root = tmp_path / "media"
    root.mkdir()
    with override_settings(
        MEDIA_ROOT=str(root), MEDIA_ACCEL_REDIRECT="", MATERIALS_TRANSCODE=False
    ):
        yield root


@dataclass
class Materials:
    lw: LearningWorld
    page: Activity
    video: Activity
    file: Activity

    @property
    def w(self) -> Any:
        return self.lw.w


@pytest.fixture
def mw(world: Any) -> Materials:
    lw = make_course(world)
    with system_scope():
        page = lw.activity("page", "Giới thiệu mô-đun")
        demo.demo_page(activity=page)
        video = lw.activity("video", "Video mở đầu")
        demo.demo_video(activity=video)
        file = lw.activity("file", "Tài liệu đọc thêm")
        services.asset_upload(
            actor=None,
            activity=file,
            role=AssetRole.FILE,
            uploaded_file=ContentFile(files.pdf(), name="Tài liệu GVPT 06.pdf"),
        )
    return Materials(lw=lw, page=page, video=video, file=file)


@pytest.fixture
def outsiders(world: Any) -> dict[str, Any]:
    """Who must get 404: a colleague of school A1 not enrolled, the principal of a sibling
    school (who reads learning in their school), the principal of province B."""
    person = PersonFactory(unit=world.school_a1, full_name="Đỗ Thị Lan", staff_code="GVA3")
    return {
        "colleague": make_user("teacher_a3", role="teacher", unit=world.school_a1, person=person),
        "sibling": make_user("principal_a2", role="principal", unit=world.school_a2),
        "province_b": world.principal_b1,
    }
