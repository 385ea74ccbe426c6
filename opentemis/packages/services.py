"""Writes of the packages app (issue 13 item 2).

* :func:`package_upload`: an officer who manages the course uploads a zip for a SCORM or H5P
  activity. It is judged whole first (``validation.py``); its files are then written to the
  default storage under a new prefix, then the row is saved; if anything fails the files
  written are removed, so nothing is half-stored. The previous upload's files are removed after
  the commit.
* :func:`runtime_commit` (SCORM) and :func:`xapi_record` (H5P): a learner's player reports.
  Both are idempotent and cheap: the run-time row is locked and compared with what came; an
  identical commit writes nothing, and ``learning.services.progress_record`` is called only
  when the derived state or score changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
import zipfile
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.accounts.services import audit
from opentemis.learning import services as learning_services
from opentemis.learning.access import manages_course
from opentemis.learning.models import Activity, ActivityKind, Enrolment
from opentemis.packages import cmi, validation
from opentemis.packages.models import Package, Runtime, Standard

log = logging.getLogger(__name__)

KINDS = (ActivityKind.SCORM, ActivityKind.H5P)


def _storage_names(prefix: str, names: list[str]) -> list[str]:
    return [f"{prefix}files/{n}" for n in names] + [f"{prefix}source.zip"]


def delete_files(prefix: str, names: list[str]) -> None:
    """Remove a package's stored files (best effort: a file already gone is no error)."""
    for key in _storage_names(prefix, names):
        try:
            default_storage.delete(key)
        except OSError:  # pragma: no cover - storage trouble: logged, the rest goes on
            log.warning("packages: could not delete %s", key)


def _write(upload: IO[bytes], inspected: validation.Inspected, prefix: str) -> None:
    """Unpack the judged entries under ``prefix`` and keep the zip; counts what is really
    unpacked (a lying size declaration stops here)."""
    written = 0
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        for entry in inspected.entries:
            key = f"{prefix}files/{entry.name}"
            with archive.open(entry.info) as source:
                data = source.read(validation.MAX_UNPACKED - written + 1)
            written += len(data)
            if written > validation.MAX_UNPACKED:
                raise ValidationError(_("The package is too large once unpacked."), code="unpacked")
            saved = default_storage.save(key, ContentFile(data))
            if saved != key:
                raise ValidationError(_("The package could not be stored; try again."))
    upload.seek(0)
    saved = default_storage.save(f"{prefix}source.zip", File(upload))
    if saved != f"{prefix}source.zip":
        raise ValidationError(_("The package could not be stored; try again."))


def package_upload(
    *, actor: User | None, activity: Activity, upload: IO[bytes], size: int, name: str = ""
) -> Package:
    """Judge, store and attach a package to a SCORM or H5P activity (replacing any before).
    ``upload``: a seekable binary file of ``size`` bytes."""
    if actor is not None and not manages_course(actor, activity.course):
        raise learning_services.NotAllowed(_("You may not change this course."))
    if activity.kind not in KINDS:
        raise ValidationError(_("This activity does not take a package."))
    inspected = validation.inspect_package(upload, size=size, expect=activity.kind)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    prefix = f"packages/{activity.pk}/{uuid.uuid4().hex}/"
    try:
        _write(upload, inspected, prefix)
        with transaction.atomic():
            package, old = _save(actor, activity, inspected, prefix, digest.hexdigest(), size, name)
    except BaseException:
        delete_files(prefix, inspected.names)
        raise
    if old is not None:
        old_prefix, old_names = old
        transaction.on_commit(lambda: delete_files(old_prefix, old_names))
    return package


def _save(
    actor: User | None,
    activity: Activity,
    inspected: validation.Inspected,
    prefix: str,
    sha256: str,
    size: int,
    name: str,
) -> tuple[Package, tuple[str, list[str]] | None]:
    package = Package.objects.select_for_update().filter(activity=activity).first()
    old = (package.prefix, list(package.files)) if package is not None else None
    if package is None:
        package = Package(activity=activity, version=0)
    package.standard = inspected.standard
    package.title = inspected.title
    package.launch = inspected.launch
    package.detail = inspected.detail
    package.prefix = prefix
    package.files = inspected.names
    package.sha256 = sha256
    package.size = size
    package.unpacked = inspected.unpacked
    package.original_name = str(name or "")[:255]
    package.version += 1
    package.uploaded_by = actor
    package.save()
    audit(
        actor=actor,
        action="packages.upload",
        obj=activity.course,
        unit_id=activity.course.unit_id,
        # File names stay out of the log's sentence (they are not Vietnamese words); the
        # package page shows them.
        changes={"activity": activity.title, "standard": package.get_standard_display()},
    )
    return package, old


def source_bytes(package: Package) -> bytes:
    """The package's zip as uploaded (for the module package export)."""
    with default_storage.open(package.source_key, "rb") as handle:
        data: bytes = handle.read()
    return data


# --- the learner's run-time data -------------------------------------------------------------


def _runtime(enrolment: Enrolment, package: Package, activity: Activity) -> Runtime:
    """The learner's row, locked (created at their first report, once the activity's
    prerequisites are done)."""
    runtime = Runtime.objects.select_for_update().filter(package=package, enrolment=enrolment)
    found = runtime.first()
    if found is not None:
        return found
    if learning_services.prerequisites_missing(enrolment, activity):
        raise ValidationError(_("Do the activities this one needs first."))
    try:
        with transaction.atomic():
            return Runtime.objects.create(
                package=package, enrolment=enrolment, unit_path=enrolment.unit_path
            )
    except IntegrityError:  # created at the same moment by another request
        return Runtime.objects.select_for_update().get(package=package, enrolment=enrolment)


def _report(
    runtime: Runtime,
    enrolment: Enrolment,
    activity: Activity,
    state: str,
    score: Decimal | None,
    fields: list[str],
) -> None:
    if state != runtime.state or score != runtime.score:
        learning_services.progress_record(
            enrolment=enrolment, activity=activity, state=state, score=score
        )
        runtime.state, runtime.score = state, score
        fields += ["state", "score"]
    runtime.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def runtime_commit(
    *, enrolment: Enrolment, activity: Activity, package: Package, payload: Any
) -> Runtime:
    """Store a learner's SCORM commit (the whole flattened CMI) and report what it means.
    The same commit twice writes nothing the second time."""
    data = cmi.clean(package.standard, payload)
    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    runtime = _runtime(enrolment, package, activity)
    if runtime.digest == digest:
        return runtime
    runtime.data, runtime.digest = data, digest
    runtime.commits += 1
    state, score = cmi.judge(package.standard, data)
    _report(runtime, enrolment, activity, state, score, ["data", "digest", "commits"])
    return runtime


MAX_H5P_STATE = 64_000


@transaction.atomic
def xapi_record(
    *, enrolment: Enrolment, activity: Activity, package: Package, statement: Any
) -> Runtime:
    """Record an H5P xAPI statement on the whole content (a sub-question's, or one without a
    result, is ignored) and report what it means. The same statement twice writes nothing."""
    if package.standard != Standard.H5P:
        raise ValidationError(_("This package is not H5P content."))
    result = cmi.clean_xapi(statement)
    runtime = _runtime(enrolment, package, activity)
    if result is None:
        if not runtime.state:
            _report(runtime, enrolment, activity, "started", None, [])
        return runtime
    digest = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    if runtime.digest == digest:
        return runtime
    best = runtime.data.get("result") if isinstance(runtime.data.get("result"), dict) else None
    runtime.data = {**runtime.data, "result": result, "best": _better(best, result)}
    runtime.digest = digest
    runtime.commits += 1
    state, score = cmi.judge_xapi(result)
    _report(runtime, enrolment, activity, state, score, ["data", "digest", "commits"])
    return runtime


def _better(best: dict[str, Any] | None, result: dict[str, Any]) -> dict[str, Any]:
    if best is None or (result.get("scaled") or -2) >= (best.get("scaled") or -2):
        return result
    return best


@transaction.atomic
def h5p_state_save(
    *, enrolment: Enrolment, activity: Activity, package: Package, state: Any
) -> Runtime:
    """Keep the H5P content's saved state (a JSON text the content gives back on return)."""
    if package.standard != Standard.H5P:
        raise ValidationError(_("This package is not H5P content."))
    if not isinstance(state, str) or len(state) > MAX_H5P_STATE or "\x00" in state:
        raise ValidationError(_("The saved state is too long or not text."))
    runtime = _runtime(enrolment, package, activity)
    if runtime.data.get("state") != state:
        runtime.data = {**runtime.data, "state": state}
        _report(runtime, enrolment, activity, runtime.state or "started", runtime.score, ["data"])
    return runtime
