"""PostgreSQL only: trigram indexes so that `LIKE '%nguyen van%'` over 1.2M names is indexed.

SQLite (demo, tests) uses the plain b-tree indexes; its datasets are small.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_search_trgm ON staff_person "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS unit_path_pattern ON orgs_unit (path varchar_pattern_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS unit_path_pattern")


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
