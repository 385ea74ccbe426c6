"""Who may use each route: the small vocabulary of the route-permission matrix.

Every URL pattern and every operation of the API declares a policy in its app's
``route_policies.py``: a dict ``ROUTE_POLICIES`` keyed by the URL name (``"name"``, or
``"namespace:name"`` for the API and the admin; ``"admin:*"`` covers a whole namespace).
``tests/test_route_matrix.py`` walks the URL resolver and the OpenAPI schema, fails on a route
without a policy (naming the file to edit) and on a policy whose route is gone, and checks each
policy against the shared test world:

* anonymous: the sign-in page (pages) or 401/403 (API), unless ``PUBLIC``;
* ``PERM``: a signed-in teacher, who holds no permission, gets ``denied`` (403 or 404, as the
  view answers today); the declared actor succeeds;
* ``OBJECT``: the object named by ``scoped`` lives in school A1 of province A. An officer of
  another province, the principal of a sibling school and a colleague of the same school
  without the right get 404, by GET and by POST (and every method of the API), and nothing is
  written; the declared actor (the object's owner, its school's principal...) succeeds;
* ``STAFF_ONLY``: Django's admin sends everyone but staff to its sign-in page.

The test world builds one object per *kind* named in ``args`` (``"evaluation.draft"``,
``"unit.school"``...) and knows who stands in each :class:`Actor` relation to it. This module
holds only the vocabulary: ``core`` imports no app.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Access(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any signed-in person
    PERMISSION = "permission"  # a permission somewhere (no object of an organisation in the path)
    OBJECT = "object"  # an object of an organisation in the path, seen only within reach
    STAFF_ONLY = "staff_only"  # Django's admin site


class Actor(StrEnum):
    """Who legitimately uses a route, relative to its object: the positive control."""

    TEACHER = "teacher"  # a teacher of school A1 with no permission (routes for everyone)
    OWNER = "owner"  # whose the object is: their evaluation, evidence, notice, job, record
    GROUP_MEMBER = "group_member"  # a colleague in the owner's subject group (opinions)
    STAFF_MEMBER = "staff_member"  # a teacher of the manager's school (the anonymous poll)
    PRINCIPAL = "principal"  # the head of the object's school
    OFFICER = "officer"  # a unit officer of the object's province
    AUDITOR = "auditor"  # an independent auditor of the object's province, grant still valid
    SUPERUSER = "superuser"


class Outsider(StrEnum):
    """Who must not learn that an object exists (404, as for a missing one)."""

    OTHER_PROVINCE = "other_province"  # an officer of province B: every right, elsewhere
    SIBLING_SCHOOL = "sibling_school"  # the principal of another school of the same commune
    COLLEAGUE = "colleague"  # a teacher of the same school, without the right


EVERY_OUTSIDER = tuple(Outsider)


@dataclass(frozen=True)
class RoutePolicy:
    access: Access
    actor: Actor | None = None
    perm: str = ""  # what the actor needs (said for readers; PERMISSION: the teacher lacks it)
    args: Mapping[str, str] = field(default_factory=dict)  # URL parameter -> kind of value
    query: Mapping[str, str] = field(default_factory=dict)  # query parameter -> kind of value
    scoped: str = ""  # OBJECT: the parameter (path or query) naming what outsiders must not see
    outsiders: tuple[Outsider, ...] = ()
    denied: int | None = None  # PERMISSION: the answer to a signed-in person lacking it
    reason: str = ""  # PUBLIC: why nobody needs to sign in

    def taking(self, **args: str) -> RoutePolicy:
        """The same policy for a route with URL parameters (parameter: kind of value)."""
        return dataclasses.replace(self, args={**self.args, **args})

    def narrowed_by(
        self,
        param: str,
        kind: str = "unit.school",
        outsiders: tuple[Outsider, ...] = EVERY_OUTSIDER,
        actor: Actor | None = None,
    ) -> RoutePolicy:
        """The same policy for a route whose query parameter ``param`` may name an object of
        an organisation (a list narrowed to a unit): ``outsiders`` naming school A1 get 404
        (a colleague lacking the permission everywhere may get ``denied``, as without it);
        ``actor``: who may narrow it so, if not the policy's actor."""
        return dataclasses.replace(
            self,
            query={**self.query, param: kind},
            scoped=param,
            outsiders=outsiders,
            actor=actor or self.actor,
        )


def PUBLIC(reason: str) -> RoutePolicy:  # upper case: reads as a constant in the tables
    return RoutePolicy(Access.PUBLIC, reason=reason)


SIGNED_IN = RoutePolicy(Access.SIGNED_IN, actor=Actor.TEACHER)
STAFF_ONLY = RoutePolicy(Access.STAFF_ONLY, actor=Actor.SUPERUSER)


def PERM(perm: str, *, actor: Actor = Actor.PRINCIPAL, denied: int = 403) -> RoutePolicy:
    """A permission held on some unit (``"superuser"``: no role grants it); a signed-in person
    without it gets ``denied``."""
    return RoutePolicy(Access.PERMISSION, actor=actor, perm=perm, denied=denied)


SUPERUSER_ONLY = PERM("superuser", actor=Actor.SUPERUSER, denied=404)


def OBJECT(
    kind: str,
    *,
    actor: Actor,
    param: str = "pk",
    in_query: bool = False,
    perm: str = "",
    outsiders: tuple[Outsider, ...] = EVERY_OUTSIDER,
    **other_args: str,
) -> RoutePolicy:
    """A route taking an object of an organisation (``kind``) in its parameter ``param`` (of
    the path, or of the query string with ``in_query``); ``outsiders`` get 404.
    ``other_args``: the route's other path parameters and their kinds."""
    return RoutePolicy(
        Access.OBJECT,
        actor=actor,
        perm=perm,
        args={**({} if in_query else {param: kind}), **other_args},
        query={param: kind} if in_query else {},
        scoped=param,
        outsiders=outsiders,
    )
