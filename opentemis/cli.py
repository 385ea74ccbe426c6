"""The `opentemis` command: Django's management commands under the product's name.

`opentemis synth --size national`, `opentemis import-staff FILE`, `opentemis runserver` ...
"""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opentemis.settings")
    execute_from_command_line(["opentemis", *sys.argv[1:]])
