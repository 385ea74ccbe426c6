"""Writes on evidence libraries: upload a file, add a link, delete an item.

Only the owner writes to their library (an evaluator reads it, see ``selectors``). Files are
checked by content (``validation``), hashed while streamed, and stored once per SHA-256: the
same bytes uploaded again, by anyone, reuse the :class:`StoredFile`; each owner still gets an
:class:`Evidence` item of their own.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from opentemis.accounts.models import User
from opentemis.core.text import nfc
from opentemis.evidence import validation
from opentemis.evidence.models import Evidence, EvidenceKind, StoredFile
from opentemis.orgs.models import SchoolYear
from opentemis.staff.models import Person

TITLE_MAX = 255
URL_MAX = 500


def _require_owner(actor: User, owner: Person) -> None:
    if actor.person_id != owner.pk:
        raise PermissionDenied(_("Only the owner can change an evidence library."))


def _title(title: str, fallback: str) -> str:
    return (nfc(title) or nfc(fallback))[:TITLE_MAX]


def _hash(uploaded_file: File[bytes]) -> tuple[str, int]:
    """SHA-256 and size, read chunk by chunk (never the whole file in memory)."""
    digest = hashlib.sha256()
    size = 0
    limit = validation.max_bytes()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            # The declared size lied (a file object built by code, not by the upload handler).
            validation.check_size(size)
    uploaded_file.seek(0)
    return digest.hexdigest(), size


def _stored_file(
    uploaded_file: File[bytes], *, sha256: str, size: int, content_type: str
) -> StoredFile:
    """The StoredFile for these bytes: the existing one, or a new one written to storage."""
    # Locked so that a concurrent delete of the last item using it cannot remove it meanwhile.
    existing = StoredFile.objects.select_for_update().filter(sha256=sha256).first()
    if existing is not None:
        return existing
    stored = StoredFile(sha256=sha256, size=size, content_type=content_type)
    # The name is content-addressed by upload_to; the storage picks another free name if a
    # stale copy (from a rolled-back upload) is in the way, so nothing is ever overwritten.
    stored.file.save(sha256, uploaded_file, save=False)
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        # Someone stored the same bytes a moment ago: keep theirs, drop our copy.
        if stored.file.name:
            stored.file.storage.delete(stored.file.name)
        return StoredFile.objects.get(sha256=sha256)
    return stored


@transaction.atomic
def evidence_upload(
    *,
    actor: User,
    owner: Person,
    uploaded_file: File[bytes],
    title: str,
    school_year: SchoolYear | None = None,
) -> Evidence:
    """Add a file to ``owner``'s library; ``ValidationError`` if its size or content is refused.

    If the owner already has the same bytes, their existing item is returned unchanged (with
    ``reused = True``), so a certificate uploaded every year stays one item of the library.
    """
    _require_owner(actor, owner)
    original_name = nfc(PurePath(uploaded_file.name or "").name)[:TITLE_MAX]
    validation.check_size(uploaded_file.size)
    kind = validation.sniff(uploaded_file, original_name)
    sha256, size = _hash(uploaded_file)
    validation.check_size(size)
    stored = _stored_file(uploaded_file, sha256=sha256, size=size, content_type=kind.content_type)
    item = Evidence.objects.filter(owner=owner, stored_file=stored).first()
    if item is not None:
        item.reused = True
        return item
    item = Evidence.objects.create(
        owner=owner,
        kind=EvidenceKind.FILE,
        title=_title(title, PurePath(original_name).stem or original_name or sha256[:12]),
        stored_file=stored,
        original_name=original_name,
        school_year=school_year,
        created_by=actor,
    )
    item.reused = False
    return item


@transaction.atomic
def evidence_add_link(
    *,
    actor: User,
    owner: Person,
    url: str,
    title: str = "",
    school_year: SchoolYear | None = None,
) -> Evidence:
    """Add a link (http or https only) to ``owner``'s library; the same URL twice is one item."""
    _require_owner(actor, owner)
    return _add_link(owner=owner, url=url, title=title, school_year=school_year, created_by=actor)


@transaction.atomic
def evidence_deposit_link(
    *, owner: Person, url: str, title: str, school_year: SchoolYear | None = None
) -> Evidence:
    """Add a link to ``owner``'s library on their behalf, with no actor: the system's own
    deposit (a certificate issued to them puts its verification page there, for next year's
    self-evaluation; certificates app). The same URL twice is one item."""
    return _add_link(owner=owner, url=url, title=title, school_year=school_year, created_by=None)


def _add_link(
    *,
    owner: Person,
    url: str,
    title: str,
    school_year: SchoolYear | None,
    created_by: User | None,
) -> Evidence:
    url = (url or "").strip()
    if len(url) > URL_MAX:
        raise ValidationError(
            {"url": _("The link is too long (at most %(max)d characters).") % {"max": URL_MAX}}
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": _("Enter a full web address starting with http:// or https://.")},
            code="invalid_url",
        ) from None
    item = Evidence.objects.filter(owner=owner, kind=EvidenceKind.LINK, url=url).first()
    if item is not None:
        item.reused = True
        return item
    item = Evidence.objects.create(
        owner=owner,
        kind=EvidenceKind.LINK,
        title=_title(title, url),
        url=url,
        school_year=school_year,
        created_by=created_by,
    )
    item.reused = False
    return item


def _in_use_error() -> ValidationError:
    return ValidationError(
        _("This evidence is cited in an evaluation and cannot be deleted."), code="in_use"
    )


@transaction.atomic
def evidence_delete(*, actor: User, evidence: Evidence) -> None:
    """Delete an item of the owner's library, refused while an evaluation cites it.

    The stored bytes go too when no other item (of anyone) uses them, after the commit.
    """
    _require_owner(actor, evidence.owner)
    if evidence.links.exists():
        raise _in_use_error()
    stored_id = evidence.stored_file_id
    try:
        # PROTECT also catches links the actor's scope does not show (an earlier school's).
        evidence.delete()
    except ProtectedError:
        raise _in_use_error() from None
    if stored_id is None:
        return
    stored = StoredFile.objects.select_for_update().filter(pk=stored_id).first()
    if stored is None or stored.items.exists():
        return
    name, storage = stored.file.name, stored.file.storage
    try:
        with transaction.atomic():
            stored.delete()
    except (IntegrityError, ProtectedError):
        return  # reused by an upload that committed in between: keep it
    if name:
        transaction.on_commit(lambda: storage.delete(name))
