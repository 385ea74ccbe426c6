"""The unit tree pages (/units/): the tree, a unit, its edit and move forms.

In the staff app, above orgs: every page shows how many people work in each subtree, which
only staff knows (``staff.selectors.children_with_staff_counts``); the tree itself and its
writes are orgs' (``orgs.selectors``, ``orgs.services``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.permissions import has_perm_on
from opentemis.accounts.roles import Perm
from opentemis.accounts.types import AuthenticatedRequest
from opentemis.core.params import parse_positive_int
from opentemis.core.replicas import reads_from_replica
from opentemis.orgs import selectors, services
from opentemis.orgs.forms import UnitForm
from opentemis.orgs.models import UnitMove
from opentemis.staff.selectors import children_with_staff_counts, subtree_staff_count


@login_required
@reads_from_replica
def unit_tree(request: AuthenticatedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    roots = list(selectors.root_units(actor=request.user))
    for root in roots:
        root.staff_count = subtree_staff_count(unit=root)
    results = list(selectors.unit_list(actor=request.user, q=q)[:50]) if q else []
    return render(request, "orgs/tree.html", {"roots": roots, "q": q, "results": results})


@login_required
@reads_from_replica
def unit_children(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """HTMX partial: the children of a unit with their staff counts."""
    unit = selectors.get_unit_for_user(actor=request.user, pk=pk)
    children = children_with_staff_counts(actor=request.user, parent=unit)
    return render(request, "orgs/_children.html", {"unit": unit, "children": children})


@login_required
def unit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.get_unit_for_user(actor=request.user, pk=pk)
    context = {
        "unit": unit,
        "crumbs": selectors.ancestors(unit=unit),
        "children": children_with_staff_counts(actor=request.user, parent=unit),
        "staff_count": subtree_staff_count(unit=unit),
        "levels": list(unit.levels.all()),
        "moves": UnitMove.objects.filter(unit=unit).select_related("old_parent", "new_parent")[:10],
        "can_move": has_perm_on(request.user, Perm.MOVE_UNITS, unit.path),
        "can_edit": has_perm_on(request.user, Perm.CHANGE_UNITS, unit.path),
    }
    return render(request, "orgs/detail.html", context)


@login_required
def unit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.get_unit_for_user(actor=request.user, pk=pk, perm=Perm.CHANGE_UNITS)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "disadvantaged_area": unit.disadvantaged_area,
        "status": unit.status,
        "levels": list(unit.levels.all()),
    }
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.unit_update(
            actor=request.user,
            unit=unit,
            name=data["name"],
            kind=data["kind"],
            levels=[lvl.code for lvl in data["levels"]],
            disadvantaged_area=data["disadvantaged_area"],
            status=data["status"],
        )
        messages.success(request, _("Unit saved."))
        return redirect("unit_detail", pk=unit.pk)
    return render(request, "orgs/edit.html", {"unit": unit, "form": form})


@login_required
def unit_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Move some or all children of a unit under another parent, in one action."""
    source = selectors.get_unit_for_user(actor=request.user, pk=pk, perm=Perm.MOVE_UNITS)
    children = children_with_staff_counts(actor=request.user, parent=source)
    targets = selectors.move_targets(actor=request.user, q=request.GET.get("target_q", ""))[:100]
    return render(
        request, "orgs/move.html", {"source": source, "children": children, "targets": targets}
    )


@login_required
@require_POST
def unit_move_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    source = selectors.get_unit_for_user(actor=request.user, pk=pk, perm=Perm.MOVE_UNITS)
    target_id = parse_positive_int(request.POST.get("target"))
    ids = [i for x in request.POST.getlist("units") if (i := parse_positive_int(x))]
    if target_id is None or not ids:
        messages.error(request, _("Choose at least one unit to move and the new parent unit."))
        return redirect("unit_move", pk=source.pk)
    target = selectors.get_unit_for_user(actor=request.user, pk=target_id, perm=Perm.MOVE_UNITS)
    units = [
        selectors.get_unit_for_user(actor=request.user, pk=i, perm=Perm.MOVE_UNITS) for i in ids
    ]
    try:
        services.units_move(
            actor=request.user,
            units=units,
            new_parent=target,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("unit_move", pk=source.pk)
    messages.success(
        request,
        _("%(count)s unit(s) moved under %(target)s. Their staff and history moved with them.")
        % {"count": len(units), "target": target.name},
    )
    return redirect("unit_detail", pk=target.pk)
