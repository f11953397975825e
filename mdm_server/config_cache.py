"""Configuration that every enrollment request reads, kept in each server process.

Discovery, the sign-in page, the sign-in and the enrollment profile each read the enrollment
settings, the enrollment configurations, the organisation's Managed Apple ID domains, the
identity sources and the push topic: about a third of the SQL statements of an enrollment, for
rows an administrator changes a few times a year. A `CachedValue` keeps what its loader returned
in the process and hands out a private copy to each caller, so a caller that changes what it got
changes nothing for the others (`_copier`: what cannot change is handed out as it is, lists,
dicts and plain model rows are rebuilt, anything else is unpickled afresh).

When to load again, across processes: one *generation* token in Redis (REDIS_URL), read through
one client per process. Without Redis (the embedded mode) nothing is kept and every read is a
query: a management command that changes a row is another process. Saving or deleting a watched
model (`post_save`, `post_delete`), or calling `changed()` after a `QuerySet.update()`,
replaces the token once the transaction commits, and every process loads again on its next read.
A request reads the token at most once (at its first cached read), so what it sees is one
consistent generation; code outside a request (Celery tasks, management commands) reads it on
every access. Rules that keep this correct:

- The token is read before the rows, and replaced after the commit: a process that loaded rows
  just before a change stored them under the old token, and loads again.
- Inside a transaction that wrote a watched model, reads go to the database (they must see the
  transaction's own rows, which other processes must not be given) and nothing is kept.
- Without the token (no Redis, or Redis unreachable) every read goes to the database; after a
  failure Redis is left alone for a while (the back-off of `redis_client`, shared with every
  other use of Redis in the process), so an outage costs no waiting per read.
- A value is kept at most `MAX_AGE` seconds, which bounds how long a change made outside Django
  (SQL by hand, a restored backup) goes unseen.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import logging
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar, cast

from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_delete, post_save

from mdm_server import redis_client

logger = logging.getLogger(__name__)

GENERATION_KEY = "mdm:config-generation"
MAX_AGE = 60.0  # seconds

T = TypeVar("T")
K = TypeVar("K")


class _ThreadState(threading.local):
    in_request = False
    token: str | None = None
    token_read = False  # `token` holds this request's generation
    dirty = False  # this thread's open transaction wrote a watched model


_state = _ThreadState()
_lock = threading.Lock()
# name -> (generation, monotonic time loaded, what makes a private copy of the value)
_kept: dict[str, tuple[str, float, Callable[[], Any]]] = {}
_watched: set[type[Model]] = set()


class CachedValue(Generic[T]):
    """A value loaded from the database and kept until a watched model changes."""

    def __init__(self, name: str, load: Callable[[], T], *, models: Iterable[type[Model]]) -> None:
        self.name = name
        self._load = load
        for model in models:
            watch(model)

    def get(self) -> T:
        """The current value: a private copy, never shared with another caller."""
        if _state.dirty:
            if connection.in_atomic_block:
                return self._load()
            # The transaction that wrote has ended (its commit replaced the token).
            _state.dirty = False
            _state.token_read = False
        token = _generation()
        if token is None:
            return self._load()
        kept = _kept.get(self.name)
        now = time.monotonic()
        if kept is not None and kept[0] == token and now - kept[1] < MAX_AGE:
            return kept[2]()
        value = self._load()
        if not _state.dirty:  # loading wrote nothing (e.g. created a missing settings row)
            copier = _copier(value)
            with _lock:
                _kept[self.name] = (token, now, copier)
            # A copy for this caller too: the kept copier may share parts of `value`.
            return copier()
        return value


class Derived(Generic[K, T]):
    """Values computed from watched rows (read through `CachedValue`s) and a key alone, kept
    per key for the generation they were computed in. A value is shared by every caller:
    immutable ones only (bytes, strings, frozen dataclasses of them). `compute()` returns
    (value, keep): a value that read anything not watched (a person in the directory, the clock)
    is returned with keep False and computed again next time. At most `size` keys are kept (keys
    may come from requests), all dropped when full."""

    def __init__(self, name: str, *, size: int = 256) -> None:
        self.name = name
        self._size = size
        # (generation, monotonic time it was first read, {key: value}): replaced as a whole.
        self._kept: tuple[str, float, dict[K, T]] = ("", 0.0, {})
        _derived.append(self)

    def get(self, key: K, compute: Callable[[], tuple[T, bool]]) -> T:
        if _state.dirty and connection.in_atomic_block:
            return compute()[0]  # this transaction's own rows: see CachedValue.get
        token = _generation()
        if token is None:
            return compute()[0]
        now = time.monotonic()
        kept_token, since, values = self._kept
        if kept_token != token or now - since >= MAX_AGE:
            values = {}
            self._kept = (token, now, values)
        else:
            # One lookup: another thread may empty a full dictionary between two.
            found = values.get(key, _MISSING)
            if found is not _MISSING:
                return cast("T", found)
        # The token was read before compute() reads the rows (the rule of CachedValue).
        value, keep = compute()
        if keep and not _state.dirty:
            if len(values) >= self._size:
                # A new dictionary rather than clear(): other threads may be reading this one.
                values = {}
                self._kept = (token, since, values)
            values[key] = value
        return value

    def forget(self) -> None:
        self._kept = ("", 0.0, {})


_derived: list[Derived[Any, Any]] = []
_MISSING = object()

# Values nobody can change: handed out as they are. Exact types (a subclass may add state), and
# the members of enumerations (Django's choices), which unpickling hands out as they are too.
_IMMUTABLE_TYPES = frozenset(
    {type(None), bool, int, float, complex, str, bytes, dt.date, dt.datetime, dt.time}
    | {dt.timedelta, dt.timezone, uuid.UUID, decimal.Decimal}
)


def _copier(value: Any) -> Callable[[], Any]:
    """What makes a private copy of `value` on each call, worked out once when it is kept.

    Unpickling every read cost 6-9 µs for a list of configurations or a settings row, four or
    five reads an enrollment each (bench/RESULTS.md). Now: a value nobody can change is handed
    out as it is; a list, tuple or dict is rebuilt around copies of its items; a model row is a
    new instance of its class with its own `_state` and copies of its field values (what
    unpickling it gives, without the pickle). A row that holds related or prefetched objects,
    and any value of another type, is still pickled once and unpickled on each read."""
    fast = _fast_copier(value)
    if fast is not None:
        return fast
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return lambda: pickle.loads(data)  # noqa: S301 - bytes this process pickled itself


def _fast_copier(value: Any) -> Callable[[], Any] | None:
    kind = type(value)
    if kind in _IMMUTABLE_TYPES or isinstance(value, enum.Enum):
        return lambda: value
    if kind is tuple or kind is frozenset:
        items = _copiers(value)
        if items is None:
            return None
        if all(_is_shared(item, v) for item, v in zip(items, value, strict=True)):
            return lambda: value  # nothing inside can change either
        return _rebuilt(kind, items)
    if kind is list:
        if all(type(v) in _IMMUTABLE_TYPES for v in value):
            return lambda: list(value)
        items = _copiers(value)
        if items is None:
            return None
        return _rebuilt(list, items)
    if kind is dict:
        if not all(type(k) in _IMMUTABLE_TYPES for k in value):
            return None
        if all(type(v) in _IMMUTABLE_TYPES for v in value.values()):
            return lambda: dict(value)
        keys = list(value)
        items = _copiers(value.values())
        if items is None:
            return None
        pairs = [(k, item) for k, item in zip(keys, items, strict=True)]
        return lambda: {k: item() for k, item in pairs}
    if isinstance(value, Model):
        return _row_copier(value)
    return None


def _rebuilt(
    kind: Callable[[Iterable[Any]], Any], items: list[Callable[[], Any]]
) -> Callable[[], Any]:
    return lambda: kind(item() for item in items)


def _copiers(values: Iterable[Any]) -> list[Callable[[], Any]] | None:
    """A copier for each of `values`; None when one of them has no fast copier."""
    items = []
    for value in values:
        item = _fast_copier(value)
        if item is None:
            return None
        items.append(item)
    return items


def _is_shared(copier: Callable[[], Any], value: Any) -> bool:
    """Whether `copier` hands out `value` itself (an immutable value)."""
    return copier() is value


# ModelState's caches, made empty on first access: an empty one holds nothing to copy.
_EMPTY_CACHES = ("fields_cache", "related_managers_cache")


def _row_copier(row: Model) -> Callable[[], Model] | None:
    """A model row as Django loads it: field values in `__dict__`, and a `_state` with nothing
    cached (no related object, no related manager). Anything else is pickled."""
    state = row._state
    if type(state) is not ModelState or any(
        name not in ("db", "adding") and (name not in _EMPTY_CACHES or cached)
        for name, cached in vars(state).items()
    ):
        return None
    same: dict[str, Any] = {}
    copied: list[tuple[str, Callable[[], Any]]] = []
    for name, field_value in vars(row).items():
        if name == "_state":
            continue
        if name.startswith("_"):  # a prefetch cache or other private state: pickle it all
            return None
        item = _fast_copier(field_value)
        if item is None:
            return None
        if _is_shared(item, field_value):
            same[name] = field_value
        else:
            copied.append((name, item))
    cls, db, adding = type(row), state.db, state.adding

    def copy() -> Model:
        new = cls.__new__(cls)
        fresh = ModelState()
        fresh.db, fresh.adding = db, adding
        values = dict(same)
        for name, item in copied:
            values[name] = item()
        values["_state"] = fresh
        new.__dict__.update(values)
        return new

    return copy


class _RedisGeneration:
    """The token in Redis. Read (every request that reads the configuration) on a connection of
    its own per thread (`redis_client.ThreadConnection`); written rarely, through the client (an
    administrator's change)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._own = redis_client.ThreadConnection(client)

    def _connection(self) -> tuple[Any, bool]:
        return self._own.connection()

    def get(self) -> str | None:
        value = self._own.execute("GET", GENERATION_KEY)
        return value.decode() if isinstance(value, bytes) else value

    def add(self, value: str) -> bool:
        return bool(self.client.set(GENERATION_KEY, value, nx=True))

    def set(self, value: str) -> None:
        self.client.set(GENERATION_KEY, value)


_stores: list[_RedisGeneration | None] = []


def _store() -> _RedisGeneration | None:
    """Where the generation lives: Redis (REDIS_URL), else nowhere (every read is a query)."""
    if not _stores:
        client = redis_client.client()
        _stores.append(_RedisGeneration(client) if client is not None else None)
    return _stores[0]


def _generation() -> str | None:
    """This request's generation token (read once per request), else read now."""
    if _state.in_request and _state.token_read:
        return _state.token
    store = _store()
    if store is None:
        return None
    try:
        with redis_client.attempt("reading the configuration generation"):
            token = store.get()
            if token is None:
                new = uuid.uuid4().hex
                token = new if store.add(new) else store.get()
    except redis_client.Unavailable:  # read the database (the back-off logged the outage)
        token = None
    except Exception as exc:  # Redis answered with an error: read the database
        logger.warning("configuration cache: generation unreadable (%s); reading the database", exc)
        token = None
    if _state.in_request:
        _state.token, _state.token_read = token, True
    return token


def changed() -> None:
    """A watched row changed (called by the signals; call it after a `QuerySet.update()`)."""
    with _lock:
        _kept.clear()
    _forget_derived()
    _state.token_read = False
    if connection.in_atomic_block:
        _state.dirty = True
    transaction.on_commit(_new_generation)  # at once when not in a transaction


def _new_generation() -> None:
    with _lock:
        _kept.clear()
    _forget_derived()
    _state.token_read = False
    store = _store()
    if store is None:
        return
    try:
        with redis_client.attempt("replacing the configuration generation"):
            store.set(uuid.uuid4().hex)
    except redis_client.Unavailable as exc:
        # Other processes see the change when their copy ages out (MAX_AGE).
        logger.warning("configuration cache: generation not replaced (%s)", exc)


def _forget_derived() -> None:
    for derived in _derived:
        derived.forget()


def clear() -> None:
    """Forget every kept value in this process (tests: each starts from its own database)."""
    with _lock:
        _kept.clear()
    _forget_derived()
    _state.token_read = False
    _state.dirty = False


def watch(model: type[Model]) -> None:
    if model in _watched:
        return
    _watched.add(model)
    uid = f"config_cache:{model._meta.label}"
    post_save.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(_on_change, sender=model, weak=False, dispatch_uid=uid + ":delete")


def _on_change(sender: type[Model], **kwargs: Any) -> None:
    changed()


def _request_started(**kwargs: Any) -> None:
    _state.in_request = True
    _state.token_read = False
    _state.dirty = False  # a request starts outside any transaction of an earlier one


def _request_finished(**kwargs: Any) -> None:
    _state.in_request = False
    _state.token_read = False


request_started.connect(_request_started, dispatch_uid="config_cache:request_started")
request_finished.connect(_request_finished, dispatch_uid="config_cache:request_finished")
