"""Reads over the unit tree. Every function takes the actor first and stays inside their scope."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.permissions import has_perm_on, path_filter, perm_paths, require_perm_on
from opentemis.accounts.roles import Perm
from opentemis.core.text import fold
from opentemis.orgs.models import SchoolYear, Unit

# --- school years: the one rule of "this year" ----------------------------------------------
# School years are national (not scoped), so these take no actor.


def _current_first() -> QuerySet[SchoolYear]:
    """School years, the current one first: the one marked current (``is_current``, at most
    one by a constraint), else the latest by its start. The rule, written once."""
    return SchoolYear.objects.order_by("-is_current", "-start_date")


def current_school_year() -> SchoolYear | None:
    """The school year the site works in (:func:`_current_first`); None only while no year
    exists at all. The one answer for pages, API, exports, commands and tasks: a site whose
    administrator has not (yet) marked a year works in the latest one rather than in none."""
    return _current_first().first()


def current_school_year_ref() -> Subquery:
    """:func:`current_school_year` inside another query, as in
    ``filter(school_year=current_school_year_ref())``: a read of "this year's" rows costs no
    query of its own. NULL while no year exists, which matches no row."""
    return Subquery(_current_first().values("pk")[:1])


def school_year_for(code: str | None = None) -> SchoolYear | None:
    """The year ``code`` names (None if there is no such year); without a code, the current
    one (:func:`current_school_year`). What the commands' ``--year`` and the pages' ``?year=``
    mean."""
    if code:
        return SchoolYear.objects.filter(code=code).first()
    return current_school_year()


def get_school_year(code: str | None = None) -> SchoolYear:
    """:func:`school_year_for`, or 404 (an unknown ``?year=``, or no year at all)."""
    year = school_year_for(code)
    if year is None:
        raise Http404(_("No such school year."))
    return year


def requested_school_year(request: HttpRequest) -> SchoolYear:
    """The year a page's request names (``year=CODE`` posted, else in the query string; 404
    if unknown), else the current one: what every page's year picker and form send."""
    return get_school_year(request.POST.get("year") or request.GET.get("year") or None)


def unit_list(
    *, actor: User, q: str = "", kind: str = "", parent: Unit | None = None
) -> QuerySet[Unit]:
    qs = Unit.objects.filter(path_filter(actor, Perm.VIEW_UNITS, "path"))
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        folded = fold(q)
        qs = qs.filter(Q(search_name__contains=folded) | Q(code__iexact=q.strip()))
    return qs.order_by("name")


def get_unit_for_user(*, actor: User, pk: int, perm: str = Perm.VIEW_UNITS) -> Unit:
    """The unit, or 404 when it is missing *or* outside the actor's reach (no difference shown)."""
    unit = get_object_or_404(Unit.objects.all(), pk=pk)
    require_perm_on(actor, perm, unit.path)
    return unit


def unit_by_code(*, actor: User, code: str, perm: str) -> Unit:
    """The unit with ``code`` (as typed: trimmed, any case) where the actor holds ``perm``.

    For forms where a person types a unit's code (grant a role there, transfer someone there):
    a ValidationError, the same for "no such code" and "not yours", otherwise.
    """
    unit = Unit.objects.filter(code=code.strip().upper()).first() if code.strip() else None
    if unit is None or not has_perm_on(actor, perm, unit.path):
        raise ValidationError(_("No unit with this code among the units you manage."))
    return unit


def default_unit(*, actor: User, perm: str) -> Unit | None:
    """The unit a page opens on when none is asked for: the actor's "default unit".

    The rule, the one every page follows: the highest unit among the actor's role units that
    grant ``perm`` (the smallest depth), ties broken by name; for a superuser, the root of the
    tree. None when the actor holds ``perm`` nowhere.
    """
    paths = perm_paths(actor, perm)
    units = Unit.objects.filter(depth=1) if paths is None else Unit.objects.filter(path__in=paths)
    return units.order_by("depth", "name").first()


def root_units(*, actor: User, perm: str = Perm.VIEW_UNITS) -> QuerySet[Unit]:
    """The top units of the actor's visible forest (their own role units, minimised)."""
    paths = perm_paths(actor, perm)
    if paths is None:
        return Unit.objects.filter(depth=1).order_by("name")
    return Unit.objects.filter(path__in=paths).order_by("name")


def ancestors(*, unit: Unit) -> list[Unit]:
    """Breadcrumb names above ``unit``. Names only: the actor may not see these units' data."""
    paths = [unit.path[: i * Unit.steplen] for i in range(1, unit.depth)]
    return list(
        Unit.dangerously_unscoped.filter(path__in=paths)
        .only("id", "name", "path", "depth")
        .order_by("depth")
    )


def move_targets(*, actor: User, q: str = "") -> QuerySet[Unit]:
    """Units that can receive others: non-school units where the actor may move units."""
    qs = Unit.objects.filter(path_filter(actor, Perm.MOVE_UNITS, "path")).exclude(
        kind__in=["school", "gdtx_centre"]
    )
    if q:
        qs = qs.filter(search_name__contains=fold(q))
    return qs.order_by("depth", "name")


def home_overview(*, actor: User) -> dict[str, list[Unit]]:
    roots = list(root_units(actor=actor)[:20])
    return {"roots": roots}
