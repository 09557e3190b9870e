"""Adding an app touches only its own folder and one line of settings.

``tests/registry_app`` is such an app (a router, a navigation entry, a permission, a home
panel); its checks run in a process of their own whose settings add it to ``INSTALLED_APPS``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_an_app_added_by_one_settings_line_shows_its_router_nav_and_home_panel():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("DATABASE_URL", None)  # its own SQLite database, whatever the suite runs on
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--ds=tests.registry_app.settings", "tests/registry_app/check_app.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
