"""The texts the drafts script (static/js/drafts.js) shows, translated on the server."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def drafts_text() -> dict[str, str]:
    return {
        "expired": _("Not saved: your session has expired."),
        "csrf": _("Not saved: the page's security token has expired."),
        "offline": _("Not saved: the server cannot be reached."),
        "error": _("Not saved: the server answered with an error (%(status)s)."),
        "kept": _("What you typed is kept in this browser; sign in again to save it."),
        "keptReload": _("What you typed is kept in this browser; reload the page."),
        "keptRetry": _("What you typed is kept in this browser and sent again when it can be."),
        "otherUser": _(
            "You are now signed in as another person. The draft stays in this browser until "
            "its author signs in again."
        ),
        "restored": _("An unsaved draft from %(time)s was restored on this page."),
        "restoredSave": _("Check it and press the form's save button to keep it."),
        "restoredStale": _(
            "The record was saved elsewhere after this draft was written: press the form's "
            "save button to compare the two versions."
        ),
        "discard": _("Discard the draft"),
        "signIn": _("Sign in again"),
        "signInTab": _("Sign in in a new tab"),
        "saving": _("Signed in again. Saving…"),
        "signedIn": _("Signed in again. Press the form's save button to send what you typed."),
        "loginFailed": _("Could not sign in: check the staff code or username and the password."),
        "username": _("Staff code or username"),
        "password": _("Your password"),
        "submit": _("Sign in"),
        "cancel": _("Cancel"),
    }


@register.simple_tag
def csrf_cookie_name() -> str:
    """The CSRF cookie drafts.js reads to follow a token renewed in another tab."""
    return settings.CSRF_COOKIE_NAME
