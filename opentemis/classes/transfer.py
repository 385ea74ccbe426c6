"""A class in a module package (``learning.kinds`` exporter/importer): its settings and its
sessions as templates (periods, times, place, lecturer's name), without dates, lecturers'
accounts, roster or attendance: each province dates its own sessions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from opentemis.classes.models import FaceClass

MAX_TEMPLATES = 30


def export_class(activity: Any) -> tuple[dict[str, Any], dict[str, bytes]]:
    face_class = FaceClass.objects.filter(activity=activity).first()
    if face_class is None:
        return {}, {}
    sessions = [
        {
            "periods": str(s.periods),
            "starts": s.starts.strftime("%H:%M") if s.starts else "",
            "ends": s.ends.strftime("%H:%M") if s.ends else "",
            "place": s.place,
            "lecturer_name": s.lecturer_name,
        }
        for s in face_class.sessions.filter(cancelled=False).order_by("date", "starts", "pk")
    ] or list(face_class.session_templates)
    return (
        {
            "attendance_min": str(face_class.attendance_min)
            if face_class.attendance_min is not None
            else None,
            "code_minutes": face_class.code_minutes,
            "sessions": sessions[:MAX_TEMPLATES],
        },
        {},
    )


def _template(raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, Mapping):
        return None
    try:
        periods = Decimal(str(raw.get("periods", "")))
    except (InvalidOperation, ValueError):
        return None
    if not periods.is_finite() or not Decimal("0.5") <= periods <= 20:
        return None
    return {
        "periods": str(periods),
        **{k: str(raw.get(k) or "")[:255] for k in ("starts", "ends", "place", "lecturer_name")},
    }


def import_class(activity: Any, data: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    share: Decimal | None
    try:
        share = Decimal(str(data.get("attendance_min"))) if data.get("attendance_min") else None
    except (InvalidOperation, ValueError):
        share = None
    if share is not None and not (share.is_finite() and Decimal(0) < share <= 1):
        share = None
    minutes = data.get("code_minutes")
    templates = [t for t in map(_template, data.get("sessions") or []) if t]
    FaceClass.objects.update_or_create(
        activity=activity,
        defaults={
            "attendance_min": share,
            "code_minutes": minutes if isinstance(minutes, int) and 1 <= minutes <= 120 else 15,
            "session_templates": templates[:MAX_TEMPLATES],
        },
    )
