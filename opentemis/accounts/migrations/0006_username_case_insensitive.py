"""Usernames are unique whatever their case (0005 renamed existing clashes)."""

import django.db.models.functions.text
from django.db import migrations, models

import opentemis.accounts.models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_rename_username_case_duplicates")]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[("objects", opentemis.accounts.models.UserManager())],
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="A user with that username already exists.",
            ),
        ),
    ]
