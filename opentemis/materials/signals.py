"""Stored files follow their rows: when an asset or a video row is deleted (by the builder, or
with its activity or course), its files are removed from storage after the commit (a rolled
back deletion keeps them). Storage deletes are idempotent, so a file already removed is fine."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from opentemis.materials.models import Asset, Video


def _remove_later(*fields: Any) -> None:
    pairs = [(f.storage, f.name) for f in fields if f and f.name]
    if pairs:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in pairs])


@receiver(post_delete, sender=Asset)
def asset_deleted(sender: type[Asset], instance: Asset, **kwargs: Any) -> None:
    _remove_later(instance.file)


@receiver(post_delete, sender=Video)
def video_deleted(sender: type[Video], instance: Video, **kwargs: Any) -> None:
    _remove_later(instance.file, instance.low)
