"""Walk Django's URL resolver: every route with its full path, view module and sample URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE_INT = "987654"
SAMPLE_UUID = "00000000-0000-4000-8000-000000000000"
SAMPLE_STR = "no-such-thing"

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full pattern text, the view's module and name, and a sample path."""

    pattern: str
    module: str
    name: str
    params: tuple[str, ...]
    view: Any

    def url(self, values: dict[str, str] | None = None) -> str:
        """A concrete path: parameters from `values`, else samples that match no object."""
        values = values or {}

        def route_value(m: re.Match[str]) -> str:
            if m["name"] in values:
                return values[m["name"]]
            return {"int": SAMPLE_INT, "uuid": SAMPLE_UUID, "anyuuid": SAMPLE_UUID}.get(
                m["conv"] or "str", SAMPLE_STR
            )

        # Regex groups first: their (?P<name>...) would otherwise look like a route <name>.
        text = _REGEX_GROUP.sub(lambda m: values.get(m["name"], SAMPLE_INT), self.pattern)
        text = _ROUTE_PARAM.sub(route_value, text)
        return "/" + text.replace("^", "").replace("$", "").replace("\\", "")


def _module(callback: Any) -> str:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return (view_class or callback).__module__


def _params(pattern: str) -> tuple[str, ...]:
    groups = tuple(m["name"] for m in _REGEX_GROUP.finditer(pattern))
    rest = _REGEX_GROUP.sub("", pattern)
    return groups + tuple(m["name"] for m in _ROUTE_PARAM.finditer(rest))


def _walk(resolver: URLResolver, prefix: str) -> list[Route]:
    out: list[Route] = []
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            out += _walk(entry, text)
        elif isinstance(entry, URLPattern):
            out.append(
                Route(
                    text, _module(entry.callback), entry.name or "", _params(text), entry.callback
                )
            )
    return out


def routes() -> list[Route]:
    return _walk(get_resolver(), "")
