"""The interface language: Vietnamese unless the person chose another.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language`` when no language was
chosen, so a teacher whose phone or browser is set to English got an English OpenTEMIS. Here
the browser's preference is ignored: the language is the one the person chose with the
switcher (Django's ``set_language`` view, remembered in the language cookie), else
``LANGUAGE_CODE``. The API follows the same rule.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    """The language the person chose (cookie), if it is one of the site's; else the default."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """``LocaleMiddleware`` without the ``Accept-Language`` fallback (module docstring)."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # The answer depends on the language cookie, never on Accept-Language.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
