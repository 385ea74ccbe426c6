"""The API shape of an import's issues: one serializer (schema component ``ImportIssue``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import serializers


class ImportIssueSerializer(serializers.Serializer[dict[str, Any]]):
    """A problem in an uploaded file and its place; ``sheet``, ``column`` empty and ``row``
    null when it is about the whole file."""

    sheet = serializers.CharField()
    row = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The spreadsheet's row number.")
    )
    column = serializers.CharField(help_text=gettext_lazy("The column's header."))
    letter = serializers.CharField(help_text=gettext_lazy("The column's letter, e.g. D."))
    cell = serializers.CharField(help_text=gettext_lazy("The cell's reference, e.g. D3."))
    value = serializers.CharField(help_text=gettext_lazy("The cell's content as read."))
    problem = serializers.CharField()
    message = serializers.CharField(help_text=gettext_lazy("The problem with its place."))
