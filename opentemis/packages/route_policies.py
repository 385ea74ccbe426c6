"""Who may use the packages app's routes (core/route_policy.py).

The player, its commit and xAPI endpoints: the enrolled learner (teacher A1), anyone else 404.
The files: the enrolled learner or the officer who manages the course (previewing); the
matrix asks them as the learner. The upload page: the officer who manages the course."""

from opentemis.core.route_policy import OBJECT, Actor, RoutePolicy

LEARNER = OBJECT("packages.activity", actor=Actor.OWNER)
BUILDER = OBJECT("packages.activity.manage", actor=Actor.OWNER)

ROUTE_POLICIES: dict[str, RoutePolicy] = {
    "packages_play": LEARNER,
    "packages_commit": LEARNER,
    "packages_xapi": OBJECT("packages.activity.h5p", actor=Actor.OWNER),
    "packages_file": LEARNER.taking(path="packages.file"),
    "packages_manage": BUILDER,
}
