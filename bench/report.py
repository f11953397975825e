"""Render bench/results.json as the markdown tables of bench/RESULTS.md."""

from __future__ import annotations

from typing import Any

from bench.reference import describe

SIGN_IN_LABELS = {
    "ldap": "LDAP directory (slapd on 127.0.0.1)",
    "local": "this server (local account, PBKDF2)",
}
TARGETS = {
    "cpu_ms": 0.8,
    "media_type_ratio": 1.1,
    "round_trip_ratio": 2.5,
    "enqueue_ms_per_target": 0.1,
    "enrollment_cpu_ms": 10.0,
    "p99_ratio": 1.2,
    "p99_ms": 20.0,
    "enrollments_per_s": 50.0,
    "pushes_per_s": 5000.0,
}


def _ok(flag: bool) -> str:
    return "met" if flag else "missed"


def _cpu(measured: dict[str, Any]) -> float | None:
    """Server CPU per request of a repeated measurement: the median of its runs."""
    value = measured.get("server_cpu_ms_median", measured.get("server_cpu_ms_per_request"))
    return round(value, 3) if value is not None else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


ANALYSIS_MARKER = "<!-- analysis: kept when the tables above are regenerated -->"


def render_file(results: dict[str, Any], previous: str = "") -> str:
    """The tables, then the hand-written analysis of the previous file (below the marker)."""
    _, marker, analysis = previous.partition(ANALYSIS_MARKER)
    return render(results) + "\n" + ANALYSIS_MARKER + (analysis if marker else "\n")


def render(results: dict[str, Any]) -> str:
    m = results.get("machine", {})
    c = results.get("config", {})
    lines = [
        "# Benchmark results",
        "",
        f"- Date: {results.get('date', '?')} (run took {results.get('total_s', '?')} s)",
        f"- Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"{m.get('memory_mb', '?')} MB; Python {m.get('python', '?')}, Django {m.get('django', '?')}",
        f"- Server: {c.get('server', '?')}, PostgreSQL and redis-server on 127.0.0.1, one Celery "
        f"worker; load: {c.get('load_processes', '?')} processes of simulated devices "
        f"({c.get('active_devices', '?')} devices with {c.get('device_key', '?')} identities) "
        "on the same two cores",
        "- Server CPU = utime+stime of the web server's processes (/proc/<pid>/stat) over "
        "the measurement, divided by the requests; PostgreSQL backend CPU shown apart.",
        "",
    ]
    scaling = results.get("scaling") or []
    if scaling:
        lines += [
            "## Idle connect (empty queue) and command round trips, by database size",
            "",
            "Idle: authenticated polls, `application/x-apple-aspen-mdm; charset=UTF-8` as devices "
            "send it, and the bare type beside it. Round trip: a result stored and the next "
            "command fetched, in one request: a small one (SecurityInfo), and one of realistic "
            "size (30 profiles, 40 apps or 12 certificates, inventory rewritten). The reference "
            "is measured by the orchestrating process just before (bench/reference.py): divide "
            "by it to compare runs from different days.",
            "",
            "| enrolled devices | queue rows | Idle req/s | server CPU ms/Idle, Apple's type "
            "| bare type | Apple / bare | PG CPU ms/Idle | p50 / p99 ms | round trips/s "
            "| server CPU ms/round trip | round trip / Idle | with lists: round trips/s, CPU ms "
            "| lists / Idle | reference | errors |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for step in scaling:
            idle, bare = step["idle"], step.get("idle_bare") or step["idle"]
            trip = step.get("round_trip") or step.get("fanout") or {}
            cpu, bare_cpu = _cpu(idle), _cpu(bare)
            trip_cpu = _cpu(trip) if trip else None
            lists = step.get("round_trip_lists") or {}
            lists_cpu = lists.get("server_cpu_ms_per_request")
            lines.append(
                f"| {step['devices']:,} | {step['rows']['devices_queuedcommand']:,} "
                f"| {idle['requests_per_s']:,} | {cpu} | {bare_cpu} | {_ratio(cpu, bare_cpu)} "
                f"| {idle['postgres_cpu_ms_per_request']} "
                f"| {idle['latency_ms']['p50']} / {idle['latency_ms']['p99']} "
                f"| {trip.get('round_trips_per_s', 0):,} | {trip_cpu} "
                f"| {_ratio(trip_cpu, cpu)} "
                f"| {lists.get('round_trips_per_s', 0):,}, {lists_cpu} | {_ratio(lists_cpu, cpu)} "
                f"| {describe(step.get('reference'))} "
                f"| {idle['errors'] + bare.get('errors', 0) + trip.get('errors', 0) + lists.get('errors', 0)} |"
            )
        first, last = scaling[0]["idle"], scaling[-1]["idle"]
        p99_ratio = last["latency_ms"]["p99"] / max(first["latency_ms"]["p99"], 1e-9)
        worst = max(_cpu(s["idle"]) or 0 for s in scaling)
        type_ratio = max(
            _ratio(_cpu(s["idle"]), _cpu(s.get("idle_bare") or s["idle"])) or 0 for s in scaling
        )
        trip_ratio = max(
            _ratio(_cpu(s.get("round_trip") or {}), _cpu(s["idle"])) or 0 for s in scaling
        )
        lines += [
            "",
            f"- Server CPU per Idle connect with Apple's media type: worst {worst} ms (target "
            f"≤ {TARGETS['cpu_ms']} ms: {_ok(worst <= TARGETS['cpu_ms'])}); against the bare "
            f"type: worst ratio {type_ratio} (target ≤ {TARGETS['media_type_ratio']}: "
            f"{_ok(type_ratio <= TARGETS['media_type_ratio'])}).",
            f"- A round trip with a small result (stored, next command fetched) / an Idle "
            f"poll: worst "
            f"{trip_ratio} (target ≤ {TARGETS['round_trip_ratio']}: "
            f"{_ok(0 < trip_ratio <= TARGETS['round_trip_ratio'])}).",
            f"- p99 at {scaling[-1]['devices']:,} devices / p99 at {scaling[0]['devices']:,}: "
            f"{p99_ratio:.2f} (target ≤ {TARGETS['p99_ratio']} and under {TARGETS['p99_ms']:.0f} "
            f"ms: {_ok(p99_ratio <= TARGETS['p99_ratio'] and last['latency_ms']['p99'] < TARGETS['p99_ms'])}).",
            "",
        ]
        enqueue = next((s["enqueue"] for s in scaling if s.get("enqueue")), None)
        if enqueue:
            per_target = enqueue["cpu_ms_per_target"]
            lines += [
                "## One command to every enrolled device",
                "",
                "| targets | queued | SQL statements | CPU s | wall s | CPU ms per target "
                "| reference |",
                "|---|---|---|---|---|---|---|",
                f"| {enqueue['targets']:,} | {enqueue['queued']:,} | {enqueue['statements']:,} "
                f"| {enqueue['cpu_s']} | {enqueue['wall_s']} | {per_target} "
                f"| {describe(enqueue.get('reference'))} |",
                "",
                f"- CPU per target (the process that enqueues; the pushes are the Celery "
                f"worker's): {per_target} ms (target < {TARGETS['enqueue_ms_per_target']} ms: "
                f"{_ok(per_target < TARGETS['enqueue_ms_per_target'])}).",
                "",
            ]
    enrollments = results.get("enrollments") or (
        [results["enrollment"]] if results.get("enrollment") else []
    )
    if enrollments:
        lines += [
            "## Full account-driven enrollment (discovery, sign-in, profile, SCEP, "
            "Authenticate, TokenUpdate)",
            "",
            "| password checked by | enrollments | failed | per second | server CPU ms each "
            "| PG CPU ms each | p50 / p99 ms | reference |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for enrollment in enrollments:
            lat = enrollment.get("latency_ms", {})
            lines.append(
                f"| {SIGN_IN_LABELS.get(enrollment.get('sign_in', 'local'), '?')} "
                f"| {enrollment.get('enrollments')} | {enrollment.get('failed')} "
                f"| {enrollment.get('enrollments_per_s')} "
                f"| {enrollment.get('server_cpu_ms_per_enrollment')} "
                f"| {enrollment.get('postgres_cpu_ms_per_enrollment')} "
                f"| {lat.get('p50')} / {lat.get('p99')} | {describe(enrollment.get('reference'))} |"
            )
        best = max(e.get("enrollments_per_s") or 0 for e in enrollments)
        cheapest = min(e.get("server_cpu_ms_per_enrollment") or 1e9 for e in enrollments)
        lines += [
            "",
            f"- {enrollments[0].get('load_processes', '?')} load processes enrolling at once, "
            "each after a few warm-up enrollments.",
            f"- Target ≥ {TARGETS['enrollments_per_s']:.0f} per second: "
            f"{_ok(best >= TARGETS['enrollments_per_s'])} (best {best}).",
            f"- Server CPU per enrollment ≤ {TARGETS['enrollment_cpu_ms']:.0f} ms: "
            f"{_ok(cheapest <= TARGETS['enrollment_cpu_ms'])} (best {cheapest}).",
            "",
        ]
    push = results.get("push")
    if push:
        lines += ["## Push fan-out through the local fake APNs (bench/apns_push.py)", ""]
        if "error" in push:
            lines += [f"- Not measured: {push['error']}", ""]
        else:
            lines += ["| phase | pushes | pushes/s | notes |", "|---|---|---|---|"]
            sender, service = push.get("sender") or {}, push.get("service") or {}
            if sender:
                lines.append(
                    f"| HTTP/2 sender alone | {sender.get('pushes'):,} "
                    f"| {sender.get('pushes_per_second'):,} "
                    f"| client CPU {sender.get('client_cpu_ms_per_push')} ms/push, "
                    f"statuses {sender.get('statuses')} |"
                )
            if service:
                lines.append(
                    f"| push service (read, push, log, token state) | {service.get('pushes'):,} "
                    f"| {service.get('pushes_per_second'):,} "
                    f"| {service.get('workers')} worker(s), outcomes {service.get('outcomes')} |"
                )
            best = max(sender.get("pushes_per_second") or 0, service.get("pushes_per_second") or 0)
            lines += [
                "",
                f"- Reference: {describe(push.get('reference'))}.",
                f"- Target ≥ {TARGETS['pushes_per_s']:,.0f} pushes per second: sender "
                f"{_ok((sender.get('pushes_per_second') or 0) >= TARGETS['pushes_per_s'])}, "
                f"service {_ok((service.get('pushes_per_second') or 0) >= TARGETS['pushes_per_s'])}"
                f" (best {best:,}).",
                "",
            ]
    notes = results.get("notes") or []
    if notes:
        lines += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(lines)
