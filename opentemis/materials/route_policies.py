"""Who may use the materials app's routes (core/route_policy.py).

Kinds of the test world (tests/world_materials.py): ``materials.<page|video|file>`` is an
activity of the course teacher A1 is enrolled in (the learner, ``OWNER``), and
``materials.<…>.builder`` the same activity for the course's officer (``OFFICER``);
``materials.asset`` a page's image. The outsiders (an officer of province B, the principal of a
sibling school, a colleague not enrolled) get 404 everywhere: the learner routes reach only an
enrolment or the course's own officer, the builder routes only the course's officer.
"""

from opentemis.accounts.roles import Perm
from opentemis.core.route_policy import OBJECT, Actor, RoutePolicy

_OWNER = Actor.OWNER
_OFFICER = Actor.OFFICER

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "materials_page": OBJECT("materials.page", actor=_OWNER),
    "materials_page_manage": OBJECT(
        "materials.page.builder", actor=_OFFICER, perm=Perm.MANAGE_COURSES
    ),
    "materials_asset": OBJECT("materials.asset", actor=_OWNER),
    "materials_asset_delete": OBJECT(
        "materials.asset.builder", actor=_OFFICER, perm=Perm.MANAGE_COURSES
    ),
    "materials_video": OBJECT("materials.video", actor=_OWNER),
    "materials_video_stream": OBJECT("materials.video", actor=_OWNER),
    "materials_video_progress": OBJECT("materials.video", actor=_OWNER),
    "materials_video_manage": OBJECT(
        "materials.video.builder", actor=_OFFICER, perm=Perm.MANAGE_COURSES
    ),
    "materials_file": OBJECT("materials.file", actor=_OWNER),
    "materials_file_download": OBJECT("materials.file", actor=_OWNER),
    "materials_file_manage": OBJECT(
        "materials.file.builder", actor=_OFFICER, perm=Perm.MANAGE_COURSES
    ),
    "api:learn-video-progress": OBJECT("materials.video", actor=_OWNER),
}
