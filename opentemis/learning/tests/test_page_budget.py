"""The course page is light (issue 13 item 8): a budget a cheap phone on a slow connection can
afford, kept by this test.

Budget, for a learner's course page of 4 sections and 12 activities with states: at most 20 KB
of HTML before compression (about 4 KB gzipped: well under a second at 50 KB/s), and no script
or stylesheet beyond the site's own (app.css, htmx, two small scripts): no player, no editor,
no font. Each activity's page loads what it needs itself.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from opentemis.core.scoping import system_scope
from opentemis.learning import services
from tests.learning_world import make_course

HTML_BUDGET = 20 * 1024
SITE_ASSETS = {
    "css/app.css",
    "vendor/htmx-2.0.4/htmx.min.js",
    "js/scroll-regions.js",
    "js/drafts.js",
}


def test_the_course_page_stays_within_its_budget(world: Any) -> None:
    lw = make_course(world)
    kinds = ["page", "video", "scorm", "file", "quiz", "product", "forum", "class", "survey"]
    activities = []
    with system_scope():
        sections = [lw.section] + [
            services.section_add(actor=None, course=lw.course, title=f"Phần {n}") for n in (2, 3, 4)
        ]
    for n in range(12):
        kind = kinds[n % len(kinds)]
        with system_scope():
            activities.append(
                services.activity_add(
                    actor=None,
                    section=sections[n % 4],
                    kind=kind,
                    title=f"Hoạt động số {n + 1}: một tiêu đề dài vừa phải như thực tế",
                    pass_required=kind in ("quiz", "product"),
                )
            )
    with system_scope():
        for activity in activities[:5]:
            services.progress_record(enrolment=lw.enrolment, activity=activity, state="complete")
    response = world.client_for(world.teacher_a1).get(
        reverse("learning_course", args=[lw.course.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="activity-list"') == 4  # the page holds what it should
    assert len(response.content) <= HTML_BUDGET, f"{len(response.content)} bytes"
    assets = set(re.findall(r'(?:src|href)="/static/([^"?]+\.(?:js|css))', html))
    assert assets <= SITE_ASSETS, assets - SITE_ASSETS
