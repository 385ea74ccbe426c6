"""What staff-record events say in the audit log (see accounts/audit_text.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opentemis.accounts.audit_text import Sentence, register
from opentemis.staff.models import CoreKind, Position, Subject, SubjectGroup


def _names(model: Any) -> Any:
    def names(codes: Any) -> str:
        codes = codes if isinstance(codes, list) else [codes]
        found = dict(model.objects.filter(code__in=codes).values_list("code", "name"))
        return ", ".join(found.get(c, c) for c in codes) or "—"

    return names


def _group(pk: Any) -> str:
    group = SubjectGroup.objects.filter(pk=pk).values_list("name", flat=True).first()
    return group or "—"


_IMPORT_LABELS = {
    "rows": _("Rows read"),
    "created": _("Records created"),
    "updated": _("Records updated"),
    "unchanged": _("Records unchanged"),
    "transferred": _("People transferred"),
    "skipped": _("Rows skipped"),
    "groups_created": _("Subject groups created"),
    "file": _("File"),
}

_READ_LABELS = {
    "count": _("Records"),
    "ids": _("Record ids"),
    "filters": _("Filters"),
    "via": _("Through"),
    "q": _("Name or staff code"),
    "position": _("Position"),
    "subject": _("Subject"),
    "gender": _("Gender"),
    "dtts": _("Ethnic minority"),
    "core": _("Core teacher"),
    "status": _("Employment status"),
    "page": _("Page"),
    "unit": _("Unit"),
    "sensitive": _("With sensitive data"),
}


def _ids(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _via(value: Any) -> str:
    return str(_("the API") if value == "api" else _("the website"))


register(
    actions={
        "staff.create": Sentence(_("%(actor)s added %(object)s to the staff records.")),
        "staff.update": Sentence(_("%(actor)s changed the record of %(object)s."), pairs=True),
        "staff.transfer": Sentence(
            _("%(actor)s transferred %(object)s to another unit."),
            pairs=True,
            labels={"unit": _("Unit"), "note": _("Note")},
        ),
        "staff.core_designate": Sentence(
            _("%(actor)s designated %(object)s as core staff for %(year)s: %(kind)s."),
            formats={"kind": lambda v: str(dict(CoreKind.choices).get(v, v))},
            labels={"kind": _("Core staff kind")},
        ),
        "staff.core_revoke": Sentence(
            _("%(actor)s withdrew the core-staff designation of %(object)s for %(year)s.")
        ),
        "staff.import": Sentence(
            _("%(actor)s imported staff records from the file %(file)s."), labels=_IMPORT_LABELS
        ),
        # The audit of reads (accounts/read_audit.py, decision 0012): one event per request.
        "reads.staff_record": Sentence(
            _("%(actor)s viewed the staff record of %(object)s."),
            here=_("%(actor)s viewed this record."),
            labels=_READ_LABELS,
        ),
        "reads.staff_list": Sentence(
            _("%(actor)s viewed a staff list: %(count)s records."), labels=_READ_LABELS
        ),
        "reads.staff_export": Sentence(
            _("%(actor)s exported a staff list to Excel: %(count)s records."),
            labels=_READ_LABELS,
        ),
    },
    labels={
        "year": _("School year"),
        "positions": _("Positions"),
        "subjects": _("Subjects"),
        # Keys of every read event (accounts/read_audit.py), whichever app writes it.
        "count": _("Records"),
        "ids": _("Record ids"),
        "filters": _("Filters"),
        "via": _("Through"),
    },
    values={
        "ids": _ids,
        "via": _via,
        "positions": _names(Position),
        "subjects": _names(Subject),
        "subject_group_id": _group,
    },
)
