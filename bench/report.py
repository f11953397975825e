"""Render bench/results.json as the markdown tables of bench/RESULTS.md."""

from __future__ import annotations

from typing import Any

SIGN_IN_LABELS = {
    "ldap": "LDAP directory (slapd on 127.0.0.1)",
    "local": "this server (local account, PBKDF2)",
}
TARGETS = {
    "cpu_ms": 0.6,
    "p99_ratio": 1.2,
    "p99_ms": 20.0,
    "enrollments_per_s": 50.0,
    "pushes_per_s": 5000.0,
}


def _ok(flag: bool) -> str:
    return "met" if flag else "missed"


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
            "## Idle connect (empty queue) and one command fanned out, by database size",
            "",
            "| enrolled devices | queue rows | Idle req/s | server CPU ms/req | PG CPU ms/req "
            "| p50 ms | p99 ms | fan-out round trips/s | fan-out server CPU ms/req "
            "| fan-out p50 / p99 ms | errors |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for step in scaling:
            idle, fan = step["idle"], step["fanout"]
            lines.append(
                f"| {step['devices']:,} | {step['rows']['devices_queuedcommand']:,} "
                f"| {idle['requests_per_s']:,} | {idle['server_cpu_ms_per_request']} "
                f"| {idle['postgres_cpu_ms_per_request']} | {idle['latency_ms']['p50']} "
                f"| {idle['latency_ms']['p99']} | {fan['round_trips_per_s']:,} "
                f"| {fan['server_cpu_ms_per_request']} "
                f"| {fan['latency_ms']['p50']} / {fan['latency_ms']['p99']} "
                f"| {idle['errors'] + fan['errors']} |"
            )
        first, last = scaling[0]["idle"], scaling[-1]["idle"]
        ratio = last["latency_ms"]["p99"] / max(first["latency_ms"]["p99"], 1e-9)
        cpu = max(s["idle"]["server_cpu_ms_per_request"] or 0 for s in scaling)
        lines += [
            "",
            f"- Server CPU per Idle connect: worst {cpu} ms (target ≤ {TARGETS['cpu_ms']} ms: "
            f"{_ok(cpu <= TARGETS['cpu_ms'])}).",
            f"- p99 at {scaling[-1]['devices']:,} devices / p99 at {scaling[0]['devices']:,}: "
            f"{ratio:.2f} (target ≤ {TARGETS['p99_ratio']} and under {TARGETS['p99_ms']:.0f} ms: "
            f"{_ok(ratio <= TARGETS['p99_ratio'] and last['latency_ms']['p99'] < TARGETS['p99_ms'])}).",
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
            "| PG CPU ms each | p50 / p99 ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for enrollment in enrollments:
            lat = enrollment.get("latency_ms", {})
            lines.append(
                f"| {SIGN_IN_LABELS.get(enrollment.get('sign_in', 'local'), '?')} "
                f"| {enrollment.get('enrollments')} | {enrollment.get('failed')} "
                f"| {enrollment.get('enrollments_per_s')} "
                f"| {enrollment.get('server_cpu_ms_per_enrollment')} "
                f"| {enrollment.get('postgres_cpu_ms_per_enrollment')} "
                f"| {lat.get('p50')} / {lat.get('p99')} |"
            )
        best = max(e.get("enrollments_per_s") or 0 for e in enrollments)
        lines += [
            "",
            f"- {enrollments[0].get('load_processes', '?')} load processes enrolling at once, "
            "each after a few warm-up enrollments.",
            f"- Target ≥ {TARGETS['enrollments_per_s']:.0f} per second: "
            f"{_ok(best >= TARGETS['enrollments_per_s'])} (best {best}).",
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
