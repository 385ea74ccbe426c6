from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("products", "0003_fill_waiting_since")]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="waiting_since",
            field=models.DateTimeField(),
        ),
    ]
