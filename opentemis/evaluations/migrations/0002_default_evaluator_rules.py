"""Default evaluators of managers (configuration; an administrator can change the rows).

TT 14/2018: the direct superior evaluates the principal. Until 30/6/2025 that was the district
office for TH/THCS and the Sở for THPT; the district level is gone, so the default is the
provincial department (Sở) for every level. Deputies (PHT) are evaluated by the head of their
school by default (domain guide: commonly the principal [?]).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Position = apps.get_model("staff", "Position")
    EvaluatorRule = apps.get_model("evaluations", "EvaluatorRule")
    defaults = [("HT", "superior", "department"), ("PHT", "school_head", "")]
    for code, evaluator, kind in defaults:
        position = Position.objects.filter(code=code).first()
        if position is not None:
            EvaluatorRule.objects.get_or_create(
                position=position,
                level=None,
                defaults={"evaluator": evaluator, "superior_kind": kind},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("staff", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
