from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from opentemis.accounts.permissions import actor_perms
from opentemis.accounts.roles import Perm
from opentemis.standards.models import Framework


def _is_admin(request: HttpRequest) -> bool:
    # "To verify" notes are for the people who configure the year, not for every teacher.
    return request.user.is_superuser or Perm.MOVE_UNITS in actor_perms(request.user)


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    latest = Framework.objects.values("code").annotate(v=Max("version"))
    wanted = {(row["code"], row["v"]) for row in latest}
    frameworks = [fw for fw in Framework.objects.all() if (fw.code, fw.version) in wanted]
    return render(
        request,
        "standards/list.html",
        {"frameworks": frameworks, "show_verify": _is_admin(request)},
    )


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=pk)
    standards = framework.standards.prefetch_related("criteria")
    context = {"framework": framework, "standards": standards, "show_verify": _is_admin(request)}
    return render(request, "standards/detail.html", context)
