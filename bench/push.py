"""Push fan-out: runs the APNs benchmark (bench/apns_push.py, local fake APNs) and keeps its figures."""

from __future__ import annotations

import argparse
import json
import subprocess
from typing import Any

from bench.stack import PYTHON, ROOT, Stack


def scenario(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    """bench/apns_push.py in its own process, on a test copy of the bench database."""
    cmd = [
        PYTHON, "bench/apns_push.py", "--count", str(args.pushes), "--max-seconds", "400",
        "--workers", str(args.push_workers),
    ]  # fmt: skip
    env = {**stack.env, "CELERY_TASK_ALWAYS_EAGER": "true"}
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=480, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": "bench/apns_push.py did not finish within 480 s"}
    text = proc.stdout
    start = text.find("{")
    try:
        report: dict[str, Any] = json.loads(text[start:]) if start >= 0 else {}
    except ValueError:
        report = {}
    if proc.returncode != 0 or not report:
        return {"error": f"exit {proc.returncode}: {(proc.stderr or text)[-400:]}"}
    out: dict[str, Any] = {"count": report.get("count"), "source": "bench/apns_push.py"}
    for phase in ("sender", "service"):
        if isinstance(report.get(phase), dict):
            out[phase] = report[phase]
    return out
