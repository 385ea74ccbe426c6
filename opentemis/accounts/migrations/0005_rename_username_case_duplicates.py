"""Usernames are unique whatever their case (docs/decisions/0011-sign-in.md).

Accounts that differ only by case already exist where someone created ``GVA1`` beside ``gva1``.
Sign-in could reach neither by that name (an ambiguous name signs nobody in), so nothing that
worked stops working: in each group the account that signed in last (else the oldest) keeps its
name, every other one is renamed ``<name>-<id>`` and told to the operator here. Their owners
still sign in with their staff code, or an administrator tells them the new name.
"""

from django.db import migrations, models
from django.db.models.functions import Lower


def rename_case_duplicates(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    clashes = (
        User.objects.annotate(login=Lower("username"))
        .values("login")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
        .values_list("login", flat=True)
    )
    for login in list(clashes):
        group = list(
            User.objects.annotate(login=Lower("username"))
            .filter(login=login)
            .order_by(models.F("last_login").desc(nulls_last=True), "id")
        )
        for user in group[1:]:
            old = user.username
            suffix = f"-{user.pk}"
            user.username = old[: 150 - len(suffix)] + suffix
            user.save(update_fields=["username"])
            print(f"\n  accounts: username {old!r} also exists in another case; renamed to {user.username!r}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_language")]

    # Data first, alone: on PostgreSQL an ALTER TABLE after updates in the same transaction can
    # fail on pending trigger events, so the constraint comes in 0006.
    operations = [migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop)]
