"""Denormalise the unit's path onto the person (scoping and province lists without a join).

On PostgreSQL the column gets the "C" collation: paths are ASCII (0-9A-Z), and with a byte-order
collation one b-tree on (unit_path, search_text, id) serves `unit_path LIKE 'prefix%'` and
`ORDER BY unit_path, search_text, id`. A later AlterField on unit_path must re-apply it.
"""

from django.db import migrations, models


def copy_paths(apps, schema_editor):
    schema_editor.execute(
        "UPDATE staff_person SET unit_path = "
        "(SELECT path FROM orgs_unit WHERE orgs_unit.id = staff_person.unit_id)"
    )


def c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE staff_person ALTER COLUMN unit_path TYPE varchar(255) COLLATE "C"'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("staff", "0003_trigram_search"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="person", name="person_unit_search"),
        migrations.AddField(
            model_name="person",
            name="unit_path",
            field=models.CharField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(c_collation, migrations.RunPython.noop),
        migrations.RunPython(copy_paths, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["unit_path", "search_text", "id"], name="person_path_search"),
        ),
    ]
