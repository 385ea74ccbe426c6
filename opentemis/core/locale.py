"""The interface language: Vietnamese unless the person chose another.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language`` when no language was
chosen, so a teacher whose phone or browser is set to English got an English OpenTEMIS. Here
the pages ignore the browser's preference: the language is the one the person chose with the
switcher (Django's ``set_language`` view, remembered in the language cookie), else
``LANGUAGE_CODE`` (Vietnamese). A signed-in person's choice is also kept on their account and
given back as the cookie when they sign in (accounts.views.LoginView), on any device.

The API is Vietnamese by default too. A program has no cookie, so an explicit
``Accept-Language`` sent to ``/api/`` is that program's choice and is honoured.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import i18n
from django.views.decorators.http import require_POST

API_PREFIX = "/api/"


def chosen_language(request: HttpRequest) -> str:
    """The language the person chose (cookie), if it is one of the site's; else the default
    (for the API: the language the program asks for, else the default)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    if request.path.startswith(API_PREFIX) and request.headers.get("Accept-Language"):
        return translation.get_language_from_request(request)
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """``LocaleMiddleware`` without the ``Accept-Language`` fallback on pages (module docstring)."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # A page depends on the language cookie only; an API answer on Accept-Language too.
        vary = ("Cookie", "Accept-Language") if request.path.startswith(API_PREFIX) else ("Cookie",)
        patch_vary_headers(response, vary)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie), and the choice kept on the signed-in account."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


def remember_language(response: HttpResponse, language: str) -> None:
    """Give a signed-in person's chosen language back as the language cookie."""
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
