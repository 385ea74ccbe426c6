"""Typed work is never lost: background requests without a session get 401 (not the sign-in
page), a refused token is a friendly page that can send the post again, sessions slide, and
an accepted post tells the browser it may forget its draft."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.shortcuts import redirect
from django.test import Client, RequestFactory
from django.urls import reverse

from opentemis.core.middleware import SAVED_COOKIE, SESSION_REFRESHED_KEY, DraftSafetyMiddleware
from opentemis.core.scoping import system_scope
from opentemis.evaluations.models import Evaluation
from opentemis.site.views import csrf_failure

pytestmark = pytest.mark.django_db


def _evaluation(pk: int) -> Evaluation:
    with system_scope():
        return Evaluation.objects.get(pk=pk)


def _csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


# --- an ended session ----------------------------------------------------------------------


def test_htmx_request_with_an_ended_session_gets_401_not_the_sign_in_page(ev):
    evaluation = ev.start()
    response = Client().post(
        reverse("evaluation_autosave", args=[evaluation.pk]),
        {"version": "1", "level_1": "Tot"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "session_expired"
    assert body["login_url"] == reverse("login")
    assert "Chưa lưu" in body["detail"]
    assert "<form" not in response.content.decode()


def test_fetch_asking_for_json_with_an_ended_session_gets_401(db):
    response = Client().get(reverse("home"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401


def test_a_page_with_an_ended_session_still_redirects_to_sign_in(db):
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_htmx_redirect_elsewhere_than_sign_in_is_left_alone(world):
    # A signed-in HTMX request answered by a redirect (not to the sign-in page) keeps it.
    client = world.client_for(world.teacher_a1)
    response = client.post(reverse("evaluation_me"), HTTP_HX_REQUEST="true")
    assert response.status_code == 302


# --- a refused token -------------------------------------------------------------------------


def test_csrf_failure_is_a_vietnamese_page_that_sends_the_post_again(ev):
    evaluation = ev.start()
    url = reverse("evaluation_self", args=[evaluation.pk])
    client = _csrf_client(ev.w.teacher_a1)
    response = client.post(
        url,
        {"version": "1", "level_1": "Tot", "strengths": "Yêu nghề", "csrfmiddlewaretoken": "x"},
        HTTP_REFERER=f"http://testserver{url}",
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "Biểu mẫu chưa được gửi" in body
    assert "CSRF verification failed" not in body
    assert f'action="{url}"' in body
    assert 'name="strengths" value="Yêu nghề"' in body
    assert 'name="level_1" value="Tot"' in body
    assert 'value="x"' not in body  # the stale token is not echoed
    assert "Gửi lại" in body
    # The page gave a fresh token: sending the form again now goes through.
    token = response.cookies[settings.CSRF_COOKIE_NAME].value
    again = client.post(
        url,
        {"version": "1", "level_1": "Tot", "strengths": "Yêu nghề", "csrfmiddlewaretoken": token},
    )
    assert again.status_code == 302
    assert _evaluation(evaluation.pk).strengths == "Yêu nghề"


def test_csrf_failure_never_echoes_a_password(world):
    client = _csrf_client(world.officer_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "secret-old", "new_password1": "n3w-Secret!", "new_password2": "x"},
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "secret-old" not in body and "n3w-Secret!" not in body
    assert "Gửi lại" not in body


def test_csrf_failure_when_signed_out_offers_sign_in_back_to_the_page(ev):
    evaluation = ev.start()
    url = reverse("evaluation_self", args=[evaluation.pk])
    response = _csrf_client().post(
        url, {"version": "1", "strengths": "Yêu nghề"}, HTTP_REFERER=f"http://testserver{url}"
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert f'action="{reverse("login")}"' in body
    assert f'name="next" value="{url}"' in body
    assert 'name="password"' in body
    assert "Yêu nghề" not in body  # restored from the browser after sign-in, not echoed


def test_csrf_failure_answers_json_to_htmx_and_the_api(world):
    client = _csrf_client(world.teacher_a1)
    htmx = client.post(reverse("logout"), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 403
    assert htmx.json()["code"] == "csrf_failed"
    request = RequestFactory().post("/api/v1/units/", {"name": "x"})
    request.user = AnonymousUser()
    api = csrf_failure(request, reason="CSRF cookie not set.")
    assert api.status_code == 403
    assert api["Content-Type"] == "application/json"
    assert json.loads(api.content)["code"] == "csrf_failed"


# --- sliding sessions ------------------------------------------------------------------------


def test_session_expiry_slides_at_most_once_per_interval(world, settings):
    settings.SESSION_REFRESH_SECONDS = 300
    client = world.client_for(world.teacher_a1)
    first = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME in first.cookies  # refreshed: the cookie is re-sent
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date

    second = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME not in second.cookies  # within the interval: no write
    assert Session.objects.get(session_key=key).expire_date == expiry

    session = client.session
    session[SESSION_REFRESHED_KEY] = int(time.time()) - 301
    session.save()
    before = Session.objects.get(session_key=key).expire_date
    time.sleep(1)
    third = client.get(reverse("home"))
    assert settings.SESSION_COOKIE_NAME in third.cookies
    assert Session.objects.get(session_key=key).expire_date > before


def test_anonymous_requests_do_not_create_sessions(db):
    response = Client().get(reverse("login"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0


def test_session_age_is_a_working_day_and_configured():
    assert 4 * 3600 <= settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.CSRF_FAILURE_VIEW == "opentemis.site.views.csrf_failure"


# --- the browser's drafts --------------------------------------------------------------------


def test_accepted_post_tells_the_browser_to_forget_the_draft(ev):
    evaluation = ev.start()
    url = reverse("evaluation_self", args=[evaluation.pk])
    client = ev.w.client_for(ev.w.teacher_a1)
    saved = client.post(url, {"version": "1", "level_1": "Tot", "action": "save"})
    assert saved.status_code == 302
    assert saved.cookies[SAVED_COOKIE].value == url
    stale = client.post(url, {"version": "1", "level_1": "Dat", "action": "save"})
    assert stale.status_code == 409
    assert SAVED_COOKIE not in stale.cookies


def test_stale_autosave_answers_409_and_keeps_the_saved_record(ev):
    evaluation = ev.start()
    client = ev.w.client_for(ev.w.teacher_a1)
    autosave = reverse("evaluation_autosave", args=[evaluation.pk])
    ok = client.post(autosave, {"version": "1", "level_1": "Tot"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    stale = client.post(autosave, {"version": "1", "level_1": "Dat"}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409
    assert "alert-error" in stale.content.decode()
    # The form keeps the version it read: the next save is refused too, until the person has
    # seen the other changes (the full-page save shows them), instead of overwriting them.
    assert 'id="version"' not in stale.content.decode()
    assert _evaluation(evaluation.pk).self_levels == {"1": "Tot"}


def test_session_state_gives_a_fresh_token_and_who_is_signed_in(world):
    anonymous = Client().get(reverse("session_state")).json()
    assert anonymous["authenticated"] is False and anonymous["user"] is None
    assert anonymous["csrf_token"]
    signed_in = world.client_for(world.teacher_a1).get(reverse("session_state")).json()
    assert signed_in["authenticated"] is True
    assert signed_in["user"] == world.teacher_a1.pk


def test_pages_carry_the_drafts_script_only_when_signed_in(world):
    home = world.client_for(world.teacher_a1).get(reverse("home")).content.decode()
    assert "js/drafts.js" in home
    assert f'data-user="{world.teacher_a1.pk}"' in home
    texts = re.search(r'<script id="drafts-text" type="application/json">(.*?)</script>', home)
    assert json.loads(texts[1])["expired"] == "Chưa lưu: phiên đăng nhập đã hết hạn."
    login = Client().get(reverse("login")).content.decode()
    assert "js/drafts.js" not in login


def test_sign_in_in_a_new_tab_lands_on_the_back_page(world):
    page = world.client_for(world.teacher_a1).get(reverse("session_back"))
    assert "quay lại thẻ trước" in page.content.decode()


def _post_through_draft_safety(user, level):
    """A signed-in post whose view redirects after queuing a message of ``level``."""
    request = RequestFactory().post("/somewhere/", {"title": "Giáo án"})
    request.user = user
    request.session = SessionStore()
    request._messages = default_storage(request)

    def view(request):
        messages.add_message(request, level, "…")
        return redirect("/back/")

    return DraftSafetyMiddleware(view)(request)


def test_a_post_refused_by_a_redirect_with_an_error_keeps_the_draft(world):
    refused = _post_through_draft_safety(world.teacher_a1, messages.ERROR)
    assert refused.status_code == 302
    assert SAVED_COOKIE not in refused.cookies
    accepted = _post_through_draft_safety(world.teacher_a1, messages.SUCCESS)
    assert accepted.cookies[SAVED_COOKIE].value == "/somewhere/"
