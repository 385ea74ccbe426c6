"""Staff rows become margins (one dimension at a time). Summaries are derived data: the old rows
are dropped and rebuilt by the next refresh (a year without summaries is rebuilt on first read)."""

from django.db import migrations, models


def forget_summaries(apps, schema_editor):
    apps.get_model("reports", "StaffCell").objects.all().delete()
    apps.get_model("reports", "EvalCell").objects.all().delete()
    apps.get_model("reports", "ReportState").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [
        migrations.RunPython(forget_summaries, migrations.RunPython.noop),
        migrations.RemoveField(model_name="staffcell", name="position"),
        migrations.RemoveField(model_name="staffcell", name="age_band"),
        migrations.RemoveField(model_name="staffcell", name="qualification"),
        migrations.AddField(
            model_name="staffcell",
            name="dimension",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="staffcell",
            name="key",
            field=models.CharField(blank=True, max_length=20),
        ),
    ]
