"""Exit 0 when the configured database already holds the national synthetic dataset."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
import django

django.setup()
from opentemis.core.scoping import system_scope
from opentemis.staff.models import Person

with system_scope():
    count = Person.objects.count()
print(f"staff in database: {count:,}")
sys.exit(0 if count >= 1_000_000 else 1)
