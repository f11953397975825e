"""Two transactions on PostgreSQL in a set order: the first holds what it wrote or locked until the
second is seen waiting for a lock, then commits; each ends as it would in a server.

    first, second = races.second_waits_for_first(hold, then_try)

`hold` runs in a transaction of its own (in a thread with its own connection) and keeps it open;
`then_try` runs once `hold` returned, in another thread; what each returned, or raised, is given
back. The caller's test needs `django_db(transaction=True)`: the threads' rows must be committed
to be seen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, connections, transaction

TIMEOUT = 60.0


def waiting_for_a_lock() -> int:
    """How many sessions of this test database wait for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def second_waits_for_first(
    hold: Callable[[], Any],
    then_try: Callable[[], Any],
    *,
    before_commit: Callable[[], Any] | None = None,
    second_in_transaction: bool = False,
) -> tuple[Any, Any]:
    """What `hold` and `then_try` returned (or raised), `then_try` having waited for a lock the
    first transaction held. `before_commit` runs in the first transaction once the second waits
    (a delete, say, that the waiting statement then finds done)."""
    results: dict[str, Any] = {}
    held, release = threading.Event(), threading.Event()

    def run(name: str, fn: Callable[[], Any], atomic: bool) -> None:
        try:
            if atomic:
                with transaction.atomic():
                    results[name] = fn()
            else:
                results[name] = fn()
        except Exception as exc:  # what a view would have answered with a 500
            results[name] = exc

    def first() -> None:
        def holding() -> Any:
            value = hold()
            held.set()
            release.wait(TIMEOUT)
            if before_commit is not None:
                before_commit()
            return value

        try:
            run("first", holding, True)
        finally:
            held.set()
            connections.close_all()

    def second() -> None:
        held.wait(TIMEOUT)
        try:
            run("second", then_try, second_in_transaction)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert held.wait(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT / 2
        while not waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_for_a_lock() == 1, "the second transaction never waited for the first"
    finally:
        release.set()
        for thread in threads:
            thread.join(TIMEOUT)
    return results.get("first"), results.get("second")
