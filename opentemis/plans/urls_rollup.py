"""The rollup pages of the plans app (see urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
