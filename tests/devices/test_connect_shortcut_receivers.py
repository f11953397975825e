"""How the Idle-poll shortcut sends Django's request signals (`mdm_server.edge.Receivers`, shared with the edge):
the receivers `Signal.send` would call, in its order, whenever they were connected. No database.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from django.dispatch import Signal

from devices.connect_shortcut import IdlePollShortcut
from mdm_server.edge import Receivers as _Receivers


class Other:
    """A sender other than the shortcut."""


def _calls(send: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    calls: list[tuple[str, Any, dict[str, Any]]] = []
    _log.append(calls)
    try:
        send()
    finally:
        _log.pop()
    return calls


_log: list[list[tuple[str, Any, dict[str, Any]]]] = []


def _receiver(name: str) -> Any:
    def receive(*, signal: Signal, sender: Any, **named: Any) -> None:
        _log[-1].append((name, sender, named))

    receive.__name__ = name
    return receive


def _both(signal: Signal, receivers: _Receivers, **named: Any) -> list[Any]:
    """What Django's send and the shortcut's call, which must be the same."""
    django = _calls(lambda: signal.send(sender=IdlePollShortcut, **named))
    ours = _calls(lambda: receivers.send(**named))
    assert ours == django
    return ours


def test_the_same_receivers_in_the_same_order_whenever_connected() -> None:
    signal = Signal()
    receivers = _Receivers(signal, IdlePollShortcut)
    assert _both(signal, receivers, environ={}) == []
    first, second = _receiver("first"), _receiver("second")
    signal.connect(first, weak=False)
    assert _both(signal, receivers, environ={"a": 1}) == [
        ("first", IdlePollShortcut, {"environ": {"a": 1}})
    ]
    # Connected after sends: called from the next one on, after the first.
    signal.connect(second, weak=False)
    assert [name for name, _, _ in _both(signal, receivers)] == ["first", "second"]
    signal.disconnect(first)
    assert [name for name, _, _ in _both(signal, receivers)] == ["second"]
    # Disconnected and connected again between two sends: the list is as long as before.
    signal.disconnect(second)
    signal.connect(first, weak=False)
    assert [name for name, _, _ in _both(signal, receivers)] == ["first"]


def test_receivers_of_the_shortcut_and_of_every_sender_only() -> None:
    signal = Signal()
    receivers = _Receivers(signal, IdlePollShortcut)
    everyone, ours, others = _receiver("everyone"), _receiver("ours"), _receiver("others")
    signal.connect(everyone, weak=False)
    signal.connect(ours, sender=IdlePollShortcut, weak=False)
    signal.connect(others, sender=Other, weak=False)
    assert [name for name, _, _ in _both(signal, receivers)] == ["everyone", "ours"]


def test_a_weak_receiver_is_not_kept_alive_and_not_called_once_gone() -> None:
    signal = Signal()
    receivers = _Receivers(signal, IdlePollShortcut)
    kept = _receiver("kept")
    signal.connect(kept, weak=False)
    gone = _receiver("gone")
    signal.connect(gone)  # weak, as Django connects by default
    assert [name for name, _, _ in _both(signal, receivers)] == ["kept", "gone"]
    del gone
    gc.collect()
    assert [name for name, _, _ in _both(signal, receivers)] == ["kept"]


def test_an_asynchronous_receiver_is_left_to_djangos_send() -> None:
    signal = Signal()
    receivers = _Receivers(signal, IdlePollShortcut)
    calls: list[str] = []

    async def receive(**named: Any) -> None:
        calls.append("async")

    signal.connect(receive, weak=False)
    signal.connect(_receiver("sync"), weak=False)
    assert [name for name, _, _ in _calls(lambda: receivers.send())] == ["sync"]
    assert calls == ["async"]


def test_an_error_of_a_receiver_reaches_the_caller_as_with_send() -> None:
    signal = Signal()
    receivers = _Receivers(signal, IdlePollShortcut)

    def fails(**named: Any) -> None:
        raise RuntimeError("receiver failed")

    signal.connect(fails, weak=False)
    with pytest.raises(RuntimeError, match="receiver failed"):
        signal.send(sender=IdlePollShortcut)
    with pytest.raises(RuntimeError, match="receiver failed"):
        receivers.send()


def test_a_receiver_list_of_another_shape_is_left_to_djangos_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should Django keep its receivers another way, its own send still calls them all."""
    signal = Signal()
    receivers = _Receivers(signal, IdlePollShortcut)
    signal.connect(_receiver("first"), weak=False)
    signal.receivers = [(*entry, None) for entry in signal.receivers]  # one more member
    calls: list[tuple[Any, ...]] = []

    def send(**named: Any) -> list[Any]:
        calls.append(tuple(named))
        return []

    monkeypatch.setattr(signal, "send", send)
    receivers.send(environ={})
    assert calls == [("sender", "environ")]
