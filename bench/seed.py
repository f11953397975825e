"""Bulk seeding of the benchmark database with plain SQL (INSERT ... SELECT generate_series).

Seeded devices are a realistic mix (70 % User Enrollment iPhones, 30 % device-enrolled Macs and
iPhones), each with ten rows of command history; one in ten also waits for a queued command.
The devices the load generator drives are inserted with their real certificate fingerprints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

SEED_COMMANDS = (
    "DeviceInformation",
    "SecurityInfo",
    "ProfileList",
    "InstalledApplicationList",
    "CertificateList",
    "InstallProfile",
    "RemoveProfile",
    "AvailableOSUpdates",
    "ManagedApplicationList",
    "RestrictionsList",
)
HISTORY_PER_DEVICE = len(SEED_COMMANDS)

# Each seeded device is a Device row and its device channel, written by one statement: the
# Device ids are drawn first (src), so the channel refers to its Device.
_DEVICE_COLUMNS = """
    id, user_enrollment, platform, ownership, udid, serial_number, os_version, build_version,
    product_name, model, model_name, device_name, supervised, user_short_name, user_long_name,
    managed_apple_id, device_information, security_info, created_at
"""
_CHANNEL_COLUMNS = """
    public_id, channel_key, device_id, channel, enrollment_type, status, enrollment_id,
    cert_fingerprint, enrollment_reference, topic, push_token, push_magic, push_token_dead,
    push_token_dead_reason, awaiting_configuration, ddm_status, created_at, enrolled_at,
    last_seen_at, refresh_slot, renewal_status, renewal_command_uuid, renewal_detail
"""

# One row per generated number i; the bulk devices never connect during the benchmark.
_BULK_ENROLLMENTS = f"""
WITH src AS MATERIALIZED (
    SELECT i, i %% 10 < 7 AS ue, nextval(pg_get_serial_sequence('devices_device', 'id')) AS did
    FROM generate_series(%(start)s, %(stop)s - 1) AS i
), devices AS (
    INSERT INTO devices_device ({_DEVICE_COLUMNS})
    SELECT
        did,
        ue,
        CASE WHEN i %% 10 = 9 THEN 'macOS' ELSE 'iOS' END,
        CASE WHEN ue THEN 'personal' ELSE 'corporate' END,
        CASE WHEN ue THEN NULL ELSE 'BENCH-' || i END,
        CASE WHEN ue THEN NULL ELSE 'C02BENCH' || i END,
        CASE WHEN i %% 10 = 9 THEN '15.2' ELSE '18.2' END,
        '22C152',
        CASE WHEN i %% 10 = 9 THEN 'Mac15,3' ELSE 'iPhone16,2' END,
        CASE WHEN i %% 10 = 9 THEN 'Mac15,3' ELSE 'iPhone16,2' END,
        CASE WHEN i %% 10 = 9 THEN 'MacBook Pro' ELSE 'iPhone' END,
        'Bench device ' || i,
        false, '', '',
        CASE WHEN ue THEN 'user' || i || '@bench.example' ELSE '' END,
        jsonb_build_object('DeviceName', 'Bench device ' || i, 'OSVersion', '18.2'),
        '{{}}'::jsonb,
        now() - interval '30 days'
    FROM src
)
INSERT INTO devices_enrollment ({_CHANNEL_COLUMNS})
SELECT
    md5('bench-enrollment-' || i)::uuid,
    CASE WHEN ue THEN 'eid:BENCH-' || i ELSE 'udid:BENCH-' || i END,
    did,
    'device',
    CASE WHEN ue THEN 'user' ELSE 'device' END,
    'enrolled',
    CASE WHEN ue THEN 'BENCH-' || i ELSE NULL END,
    md5('bench-cert-' || i) || md5('bench-cert2-' || i),
    '',
    %(topic)s,
    md5('bench-token-' || i) || md5('bench-token2-' || i),
    upper(md5('bench-magic-' || i)::uuid::text),
    false, '', false,
    '{{}}'::jsonb,
    now() - interval '30 days', now() - interval '30 days',
    now() - (i %% 86400) * interval '1 second',
    (i * 7919) %% 1000000, '', '', ''
FROM src
"""  # noqa: S608 - constant column lists

# The driven devices: user-enrolled iPhones (ue) and device-enrolled Macs (not ue).
_ACTIVE_ENROLLMENTS = f"""
WITH src AS MATERIALIZED (
    SELECT a.eid, a.fp, a.ue, nextval(pg_get_serial_sequence('devices_device', 'id')) AS did
    FROM unnest(%(eids)s::text[], %(fps)s::text[], %(ues)s::boolean[]) AS a(eid, fp, ue)
), devices AS (
    INSERT INTO devices_device ({_DEVICE_COLUMNS})
    SELECT
        did,
        ue,
        CASE WHEN ue THEN 'iOS' ELSE 'macOS' END,
        CASE WHEN ue THEN 'personal' ELSE 'corporate' END,
        CASE WHEN ue THEN NULL ELSE eid END,
        CASE WHEN ue THEN NULL ELSE 'C02' || left(eid, 9) END,
        CASE WHEN ue THEN '18.2' ELSE '15.2' END,
        '22C152',
        CASE WHEN ue THEN 'iPhone16,2' ELSE 'Mac15,3' END,
        CASE WHEN ue THEN 'iPhone16,2' ELSE 'Mac15,3' END,
        CASE WHEN ue THEN 'iPhone' ELSE 'MacBook Pro' END,
        'Active bench device', false, '', '',
        CASE WHEN ue THEN 'active@bench.example' ELSE '' END,
        '{{}}'::jsonb, '{{}}'::jsonb,
        now() - interval '30 days'
    FROM src
)
INSERT INTO devices_enrollment ({_CHANNEL_COLUMNS})
SELECT
    md5('bench-active-' || eid)::uuid,
    CASE WHEN ue THEN 'eid:' ELSE 'udid:' END || eid,
    did,
    'device',
    CASE WHEN ue THEN 'user' ELSE 'device' END,
    'enrolled',
    CASE WHEN ue THEN eid ELSE NULL END,
    fp, '',
    %(topic)s,
    md5('bench-active-token-' || eid) || md5('x' || eid), upper(md5(eid)::uuid::text),
    false, '', false, '{{}}'::jsonb,
    now() - interval '30 days', now() - interval '30 days', now() - interval '1 hour',
    (abs(hashtext(eid)) %% 1000000), '', '', ''
FROM src
RETURNING id
"""  # noqa: S608 - constant column lists

_COMMANDS = """
INSERT INTO devices_command (uuid, request_type, channel, priority, body, command_keys,
    payload_summary, display, origin, created_at, target_count)
SELECT 'BENCH-SEED-' || j, t, 'device', 50,
    convert_to('<plist><dict><key>RequestType</key><string>' || t || '</string></dict></plist>',
               'UTF8'),
    '["RequestType"]'::jsonb, '[]'::jsonb, jsonb_build_object('name', t), 'bench seed',
    now() - interval '7 days', 0
FROM unnest(%(types)s::text[]) WITH ORDINALITY AS s(t, j)
ON CONFLICT (uuid) DO NOTHING
"""

# Ten history rows per enrollment; for bulk devices (pending=true) one in ten has a queued one.
_QUEUE = """
INSERT INTO devices_queuedcommand (enrollment_id, command_id, status, priority, created_at,
    sent_at, completed_at, not_now_count, result, error_chain, status_reason)
SELECT e.id, c.id,
    CASE
        WHEN %(pending)s AND c.n = 10 AND e.id %% 10 = 0 THEN 'queued'
        WHEN c.n = 9 AND e.id %% 7 = 0 THEN 'error'
        ELSE 'acknowledged'
    END,
    50, now() - interval '7 days',
    now() - interval '7 days', now() - interval '7 days', 0,
    convert_to('<plist><dict><key>Status</key><string>Acknowledged</string></dict></plist>',
               'UTF8'),
    NULL, ''
FROM devices_enrollment e
CROSS JOIN (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM devices_command
    WHERE uuid LIKE 'BENCH-SEED-%%'
) c
WHERE e.id = ANY(%(ids)s::bigint[]) OR (e.id > %(after)s AND e.id <= %(upto)s)
"""


@dataclass(frozen=True)
class ActiveDevice:
    """A device the load generator drives: its EnrollmentID and certificate fingerprint."""

    enrollment_id: str
    fingerprint: str
    user_enrollment: bool = True  # an iPhone in User Enrollment; else a device-enrolled Mac


def _max_id(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT coalesce(max(id), 0) FROM devices_enrollment").fetchone()
    return int(row[0]) if row else 0


def seed_commands(conn: psycopg.Connection) -> None:
    conn.execute(_COMMANDS, {"types": list(SEED_COMMANDS)})


def seed_active(conn: psycopg.Connection, devices: Sequence[ActiveDevice], *, topic: str) -> int:
    """Insert the driven devices (enrolled, pinned to their certificates) and their history."""
    seed_commands(conn)
    ids = [
        int(row[0])
        for row in conn.execute(
            _ACTIVE_ENROLLMENTS,
            {
                "eids": [d.enrollment_id for d in devices],
                "fps": [d.fingerprint for d in devices],
                "ues": [d.user_enrollment for d in devices],
                "topic": topic,
            },
        ).fetchall()
    ]
    conn.execute(_QUEUE, {"pending": False, "ids": ids, "after": 0, "upto": 0})
    return len(ids)


def seed_bulk(conn: psycopg.Connection, *, start: int, stop: int, topic: str) -> int:
    """Insert bulk devices numbered [start, stop) with their history; returns rows queued."""
    if stop <= start:
        return 0
    seed_commands(conn)
    before = _max_id(conn)
    conn.execute(_BULK_ENROLLMENTS, {"start": start, "stop": stop, "topic": topic})
    after = _max_id(conn)
    cur = conn.execute(_QUEUE, {"pending": True, "ids": [], "after": before, "upto": after})
    return cur.rowcount


def counts(conn: psycopg.Connection) -> dict[str, int]:
    out = {}
    for table in (
        "devices_device",
        "devices_enrollment",
        "devices_queuedcommand",
        "devices_deviceevent",
    ):
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - fixed names
        out[table] = int(row[0]) if row else 0
    row = conn.execute(
        "SELECT count(*) FROM devices_queuedcommand WHERE status IN ('queued', 'sent', 'notnow')"
    ).fetchone()
    out["pending_queue_rows"] = int(row[0]) if row else 0
    return out


def analyze(conn: psycopg.Connection) -> None:
    conn.execute("VACUUM ANALYZE devices_device")
    conn.execute("VACUUM ANALYZE devices_enrollment")
    conn.execute("VACUUM ANALYZE devices_queuedcommand")
    conn.execute("VACUUM ANALYZE devices_command")
