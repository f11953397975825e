"""The deployed WSGI entry point sets aside what a worker keeps for its life (mdm_server/wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, sys
before = len(gc.get_objects())
import mdm_server.wsgi
print(gc.get_freeze_count(), len(gc.get_objects()), 'devices.views' in sys.modules)
"""


def test_importing_the_entry_point_loads_the_urlconf_and_freezes_the_start_up_heap() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mdm_server.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    frozen, tracked, views_loaded = int(out[0]), int(out[1]), out[2] == "True"
    assert views_loaded  # the URLconf's view modules, loaded before the first request
    # The start-up heap is in the permanent generation; what the collector still walks is a
    # small remainder (objects made after the freeze by the probe itself).
    assert frozen > 50_000
    assert tracked < frozen / 10
