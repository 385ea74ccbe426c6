"""Exit 0 when the configured database already holds the national synthetic dataset."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
import django  # noqa: E402

django.setup()
from opentemis.core.scoping import system_scope  # noqa: E402
from opentemis.staff.models import Person  # noqa: E402

with system_scope():
    count = Person.objects.count()
print(f"staff in database: {count:,}")
sys.exit(0 if count >= 1_000_000 else 1)
