"""Existing submissions wait since they were handed in, and each gets its own random draw for
the second-marking sample (the field's default gave every existing row the same one)."""

import secrets

from django.db import migrations
from django.db.models import F

DRAW_RANGE = 10_000  # products.policy.DRAW_RANGE, frozen here


def forwards(apps, schema_editor):
    Submission = apps.get_model("products", "Submission")
    Submission.objects.filter(waiting_since__isnull=True).update(waiting_since=F("submitted_at"))
    pks = list(Submission.objects.values_list("pk", flat=True))
    for pk in pks:
        Submission.objects.filter(pk=pk).update(draw=secrets.randbelow(DRAW_RANGE))


class Migration(migrations.Migration):
    dependencies = [("products", "0002_grading_queues")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
