"""Time the device list (console and API) at 100k devices: `python -m bench.console_list`.

Needs a migrated, disposable PostgreSQL database in DATABASE_URL. Inserts N device rows with one
INSERT ... SELECT generate_series, requests the list pages through Django's test client, prints
the time and query count of each, and deletes its rows again.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

MARK = "bench-console:"

# Each device is a Device row and its device channel, written by one statement.
_INSERT = """
WITH src AS MATERIALIZED (
    SELECT i, i %% 10 < 7 AS ue, nextval(pg_get_serial_sequence('devices_device', 'id')) AS did
    FROM generate_series(1, %(n)s) AS i
), devices AS (
    INSERT INTO devices_device (
        id, user_enrollment, platform, ownership, udid, serial_number, os_version,
        build_version, product_name, model, model_name, device_name, supervised,
        user_short_name, user_long_name, managed_apple_id, device_information, security_info,
        created_at)
    SELECT
        did, ue, CASE WHEN i %% 10 = 9 THEN 'macOS' ELSE 'iOS' END,
        CASE WHEN ue THEN 'personal' ELSE 'corporate' END,
        CASE WHEN ue THEN NULL ELSE 'BENCH-' || i END,
        CASE WHEN ue THEN NULL ELSE 'C02BENCH' || i END,
        CASE WHEN i %% 10 = 9 THEN '15.' ELSE '18.' END || (i %% 4),
        '22C152', 'iPhone16,2', 'iPhone16,2', 'iPhone', 'Bench device ' || i, false, '', '',
        CASE WHEN ue THEN 'user' || i || '@bench.example' ELSE '' END,
        '{}'::jsonb, '{}'::jsonb, now()
    FROM src
)
INSERT INTO devices_enrollment (
    public_id, channel_key, device_id, channel, enrollment_type, status, enrollment_id,
    cert_fingerprint, enrollment_reference, topic, push_token, push_magic, push_token_dead,
    push_token_dead_reason, awaiting_configuration, ddm_status, created_at, enrolled_at,
    last_seen_at, refresh_slot, renewal_status, renewal_command_uuid, renewal_detail)
SELECT
    md5('bench-console-' || i)::uuid, %(mark)s || i, did, 'device',
    CASE WHEN ue THEN 'user' WHEN i %% 10 < 9 THEN 'device' ELSE 'adde' END, 'enrolled',
    CASE WHEN ue THEN 'BENCH-' || i ELSE NULL END,
    md5('c' || i) || md5('d' || i), '', 'topic',
    md5('t' || i), upper(md5('m' || i)::uuid::text), false, '', false,
    '{}'::jsonb, now(), now(),
    now() - (i %% 3000) * interval '1 hour',
    (i * 7919) %% 1000000, '', '', ''
FROM src
"""
# The rows of an earlier run: the channels, then their Devices (one statement).
_DELETE = """
WITH gone AS (DELETE FROM devices_enrollment WHERE channel_key LIKE %s RETURNING device_id)
DELETE FROM devices_device WHERE id IN (SELECT device_id FROM gone)
"""

PAGES = [
    ("console: first page", "/console/devices/", {}),
    ("console: UE filter", "/console/devices/", {"enrollment_type": "user"}),
    ("console: OS 18 + not seen 30 d", "/console/devices/", {"os_version": "18", "not_seen_for": "30"}),
    ("console: search", "/console/devices/", {"q": "user777@bench"}),
    ("console: all columns", "/console/devices/", {"col": ["name", "user", "managed_apple_id", "ue_enrolled", "serial_number"]}),
    ("console: sorted by last seen", "/console/devices/", {"sort": "-last_seen"}),
    ("console: sorted by Managed Apple ID", "/console/devices/", {"sort": "managed_apple_id"}),
    ("api: first page", "/api/v1/devices/", {"page_size": "100"}),
    ("api: UE filter", "/api/v1/devices/", {"enrollment_type": "user", "page_size": "100"}),
    ("dashboard", "/console/", {}),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100_000, help="devices to insert")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mdm_server.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        raise SystemExit("bench.console_list needs PostgreSQL (DATABASE_URL)")
    settings.ALLOWED_HOSTS = ["*"]
    with connection.cursor() as cursor:
        cursor.execute(_DELETE, [MARK + "%"])
        started = time.perf_counter()
        cursor.execute(_INSERT, {"mark": MARK, "n": args.n})
        cursor.execute("ANALYZE devices_device")
        cursor.execute("ANALYZE devices_enrollment")
    print(f"inserted {args.n:,} devices in {time.perf_counter() - started:.1f} s")
    user, _ = User.objects.get_or_create(username="bench-console-admin", is_superuser=True)
    client = Client()
    client.force_login(user)
    try:
        for label, url, params in PAGES:
            times: list[float] = []
            queries = 0
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response: Any = client.get(url, params)
                    times.append(time.perf_counter() - t0)
                queries = len(ctx.captured_queries)
                if response.status_code != 200:
                    raise SystemExit(f"{label}: HTTP {response.status_code}")
            print(f"{label:34s} best {min(times) * 1000:7.1f} ms  {queries} queries")
        # Deep in a sorted list: the cursor of the row half-way down, by last seen.
        from devices.models import Enrollment
        from mdm_server.selectors import encode_cursor

        middle = Enrollment.objects.filter(parent__isnull=True).order_by(
            F("last_seen_at").desc(nulls_last=True), "-pk"
        )[args.n // 2]
        deep = {"sort": "-last_seen", "after": encode_cursor(middle.last_seen_at, middle.pk)}
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get("/console/devices/", deep)
                times.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"sorted, half-way down: HTTP {response.status_code}")
        label = "console: sorted, half-way down"
        print(f"{label:34s} best {min(times) * 1000:7.1f} ms  {len(ctx.captured_queries)} queries")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(_DELETE, [MARK + "%"])
        user.delete()


if __name__ == "__main__":
    main()
