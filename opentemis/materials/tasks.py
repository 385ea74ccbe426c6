"""Background work of the materials app (Django Tasks; ``manage.py db_worker`` runs it)."""

from __future__ import annotations

from django_tasks import task

from opentemis.materials import transcode


@task()
def low_rendition(video_id: int) -> str:
    """Make the low-bitrate copy of a video (``transcode.make_low``)."""
    return transcode.make_low(video_id)
