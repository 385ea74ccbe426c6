"""The user's notices: the list (newest first), one notice (marked read when opened), and
"mark all read". Personal pages: every read goes through the recipient-filtered selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opentemis.accounts.types import AuthenticatedRequest
from opentemis.notifications import selectors, services
from opentemis.notifications.models import EmailChoice

PAGE_SIZE = 20


@login_required
def notice_list(request: AuthenticatedRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(
        selectors.notices_for(actor=request.user, unread_only=unread_only), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": unread_only}
    return render(request, "notifications/notice_list.html", context)


@login_required
def notice_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notice = selectors.get_notice_for_user(actor=request.user, pk=pk)
    services.notice_mark_read(actor=request.user, notice=notice)
    return render(request, "notifications/notice_detail.html", {"notice": notice})


@login_required
@require_POST
def notice_read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = services.notices_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("Notices marked as read: %(n)d.") % {"n": count})
    return redirect("notice_list")


@login_required
def notice_preferences(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own choice: emails at once, one daily digest, or none."""
    choice = selectors.preference_of(actor=request.user)
    status = 200
    if request.method == "POST":
        try:
            services.notice_preference_set(actor=request.user, email=request.POST.get("email", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("notice_preferences")
    context = {"choice": choice, "choices": EmailChoice.choices}
    return render(request, "notifications/preferences.html", context, status=status)
