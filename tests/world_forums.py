"""The forums app's things for the route matrix (tests/test_route_matrix.py): each kind a
route of the app takes, built on the shared course (tests/learning_world.py).

* ``forum``: a forum activity of the course (one group for the whole course); teacher A1,
  enrolled, is its OWNER; the course's officer moderates it;
* ``forum.thread``: teacher A1's question; ``forum.post``: teacher A1's reply in it.
"""

from __future__ import annotations

from typing import Any

from opentemis.forums import access, services
from tests.learning_world import LearningWorld

#: The kinds of value this app's routes take (added to the matrix's KINDS).
KINDS: tuple[str, ...] = ("forum", "forum.thread", "forum.post")
#: Page routes the Vietnamese crawl reads: URL name -> {URL parameter: kind}.
CRAWL: dict[str, dict[str, str]] = {
    "forums_activity": {"pk": "forum"},
    "forums_manage": {"pk": "forum"},
    "forums_thread": {"pk": "forum.thread"},
}
#: Routes the crawl does not read (POST-only, files) that the hostile-input test posts to.
HOSTILE: dict[str, dict[str, str]] = {
    "forums_thread_create": {"pk": "forum"},
    "forums_reply": {"pk": "forum.thread"},
    "forums_thread_moderate": {"pk": "forum.thread"},
    "forums_answer": {"pk": "forum.post"},
    "forums_post_hide": {"pk": "forum.post"},
}
#: The API's paths with an id: the path before ``{id}`` -> kind.
API_IDS: dict[str, str] = {
    "/api/v1/learn/forums/": "forum",
    "/api/v1/learn/forums/threads/": "forum.thread",
    "/api/v1/learn/forums/posts/": "forum.post",
}


def things(lw: LearningWorld) -> dict[str, tuple[int, Any]]:
    """kind -> (pk, the account that owns it: the learner, or the course's officer)."""
    activity = lw.activity("forum", "Diễn đàn hỏi đáp")
    services.forum_save(actor=None, activity=activity, intro="Hỏi đáp về mô-đun.")
    viewer = access.forum_viewer(lw.w.teacher_a1, activity.pk)
    thread = services.thread_create(
        viewer=viewer, title="Ma trận đề là gì?", body="Xin giải thích giúp em."
    )
    post = services.post_create(viewer=viewer, thread=thread, body="Em bổ sung: lớp 4.")
    return {
        "forum": (activity.pk, lw.w.teacher_a1),
        "forum.thread": (thread.pk, lw.w.teacher_a1),
        "forum.post": (post.pk, lw.w.teacher_a1),
    }
