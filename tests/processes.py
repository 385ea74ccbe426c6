"""Other processes on the test database: workers, commands, a process to kill.

On PostgreSQL they open the test database itself (the test must be transactional, so that
what it wrote is committed). On SQLite the test database lives in memory, which another
process cannot open: it is copied to a file for them (:meth:`SharedDatabase.push`) and copied
back to read what they did (:meth:`SharedDatabase.pull`), with SQLite's backup API.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


class SharedDatabase:
    """The test database, as other processes can open it."""

    def __init__(self, tmp: Path) -> None:
        self.file = tmp / "shared.sqlite3"
        self.sqlite = connection.vendor == "sqlite"

    @property
    def url(self) -> str:
        if self.sqlite:
            return f"sqlite:///{self.file}"
        s = connection.settings_dict
        auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        return f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"

    def environ(self, tmp: Path, **extra: str) -> dict[str, str]:
        """The environment of a ``manage.py`` process on this database."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "opentemis.settings",
            "DATABASE_URL": self.url,
            "OPENTEMIS_VAR_DIR": str(tmp / "var"),
            "MEDIA_ROOT": str(tmp / "media"),
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            **extra,
        }

    def push(self) -> None:
        """Make what this process wrote visible to the workers."""
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def pull(self) -> None:
        """Read what the workers wrote."""
        if self.sqlite:
            source = sqlite3.connect(self.file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
