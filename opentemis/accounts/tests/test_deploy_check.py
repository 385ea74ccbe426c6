"""`manage.py check --deploy` with the production environment of docs/operations.md reports
nothing: HTTPS settings, secure cookies, and drf-spectacular's schema warnings alike."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def production_environment() -> dict[str, str]:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    block = re.search(r"### The production environment.*?```env\n(.*?)```", text, re.S)
    assert block, "docs/operations.md lost its production environment block"
    env = dict(line.split("=", 1) for line in block.group(1).splitlines() if line and "=" in line)
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SECURE_COOKIES", "TRUSTED_PROXIES"} <= set(env)
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # the block shows how to make one
    return env


def test_deploy_check_is_clean_with_the_documented_production_environment(tmp_path):
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(production_environment())
    env["OPENTEMIS_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in result.stdout, output
    assert "Warning" not in output, output
