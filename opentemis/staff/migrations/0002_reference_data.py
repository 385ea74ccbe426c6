from django.db import migrations

from opentemis.staff.reference import load_reference_data


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial"), ("orgs", "0001_initial")]

    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
