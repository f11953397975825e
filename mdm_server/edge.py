"""The WSGI edge: device requests whose view may run twice, answered without Django's request cycle.

An enrollment begins with requests that read configuration the server process keeps and change
nothing: service discovery, SCEP's GetCACaps and GetCACert, the 401 that answers a MachineInfo
sent without a token, the web sheet's sign-in page. Their views cost a few hundredths of a
millisecond; Django's cycle around them (the request signals sent to every receiver, a
middleware chain of nested calls, each wrapped for exceptions, the host check parsed again,
URL resolution, closing the response) cost several times that (bench.enroll_breakdown).

`Edge` runs such a request through the very code Django would: the same middleware objects as
the device's or the web sheet's stack (`mdm_server.device_stack`: MDM_DEVICE_MIDDLEWARE or
MDM_WEB_SHEET_MIDDLEWARE), their `process_request`, `process_view` and `process_response` called
in the order Django's `MiddlewareMixin` calls them, the resolved view with its decorators, the
status line, headers and cookies written as Django's WSGI handler writes them, the 4xx log line
of its `log_response`. What it leaves out is the cycle's machinery, not its work: the chain of
wrappers, and Django's request signals, which it sends to the same receivers without looking
them up on every send (`Receivers`).

Only a view marked `@answerable(when=...)` is run here, and only for requests `when` accepts:
requests the view answers without changing anything that a second run would not change the same
way, so that handing the request over to Django halfway is always safe. A view that writes is
never answered here, even in one transaction: a failure after its commit (a process_response, a
COMMIT whose reply was lost) would be handed to Django, which would run it again and answer
otherwise than Django alone. Everything else goes to Django untouched, and so does every request
the edge cannot finish: a middleware that answers before the view (a refused Content-Length, a
redirect), a view or middleware that raises (an unknown configuration's 404, an unreachable
database's 503, a disallowed host), a view that needs what its stack does not give (a device path
has no session nor user: reading them raises), a request for HTML on a device path (the
console's error pages, with their CSRF cookie, are the full stack's), a stack with a middleware
that is not a `MiddlewareMixin` (its `__call__` could do anything). tests/enrollment/test_edge.py
compares each answer with Django's, byte for byte.

`MDM_EDGE=false` turns it off.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core import signals
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.dispatch import Signal
from django.dispatch.dispatcher import NONE_ID
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import ResolverMatch, get_resolver, set_script_prefix, set_urlconf
from django.utils.deprecation import MiddlewareMixin
from django.utils.log import log_response
from django.utils.module_loading import import_string

from mdm_server import device_stack, untrusted

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
View = TypeVar("View", bound=Callable[..., HttpResponseBase])

EDGE_ATTRIBUTE = "mdm_edge_when"


def answerable(*, when: Callable[[HttpRequest], bool]) -> Callable[[View], View]:
    """Mark a view the edge may run for the requests `when` accepts (see the module's text:
    running it twice for such a request must be harmless). Outermost of the view's decorators.
    `when` is asked before the request cycle begins (no request signal sent yet, no URLconf
    set): it reads what the request carries (method, headers, query) and nothing else."""

    def mark(view: View) -> View:
        setattr(view, EDGE_ATTRIBUTE, when)
        return view

    return mark


class Receivers:
    """`signal.send(sender=sender, **named)`, as Django's handler sends its request signals: the
    same receivers (those of every sender and those of `sender`), in the same order, with the
    same arguments, weak references dereferenced at each send (one whose object is gone is
    skipped, as Django skips it). Which receivers those are is worked out again only when the
    signal's list of receivers changed (a receiver connected or disconnected, at any time), not
    on every send; an asynchronous receiver, or a list not in the shape this reads (another
    Django version), leaves the sending to Django's `send`."""

    def __init__(self, signal: Signal, sender: type) -> None:
        self.signal = signal
        self.sender = sender
        # (a copy of signal.receivers, what to call for it): replaced in one assignment, as
        # several threads may send at once.
        self._known: tuple[list[Any], tuple[tuple[Any, bool], ...] | None] = ([], ())

    def send(self, **named: Any) -> None:
        signal, sender = self.signal, self.sender
        seen, targets = self._known
        if signal.receivers != seen:
            seen = list(signal.receivers)
            targets = self._targets(seen)
            self._known = (seen, targets)
        if targets is None:
            signal.send(sender=sender, **named)
            return
        for target, weak in targets:
            receiver = target() if weak else target
            if receiver is not None:
                receiver(signal=signal, sender=sender, **named)

    def _targets(self, receivers: list[Any]) -> tuple[tuple[Any, bool], ...] | None:
        """(receiver or weak reference to it, whether weak) for `sender`; None when one is
        asynchronous. `receivers` is Django's own list (`Signal.receivers`)."""
        sender_key = id(self.sender)  # django.dispatch.dispatcher._make_id of a class
        found = []
        for entry in receivers:
            try:
                (_receiver_key, receiver_sender), receiver, is_async = entry
            except (TypeError, ValueError):
                return None  # not the shape Django 5.2 keeps: its own send decides
            if receiver_sender not in (NONE_ID, sender_key):
                continue
            if is_async:
                return None
            found.append((receiver, isinstance(receiver, weakref.ReferenceType)))
        return tuple(found)


class _Unused:
    """The `get_response` the edge's middleware objects are made with: never called, as the
    edge calls their hooks itself."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:  # pragma: no cover
        raise AssertionError("the edge calls the middleware's hooks, not the middleware")


class FlatStack:
    """A middleware list (MIDDLEWARE's shape) as the hooks `MiddlewareMixin.__call__` would call:
    each `process_request` in order until one answers, each `process_view`, the view, then each
    `process_response` in reverse order. None when a middleware is not a `MiddlewareMixin`."""

    def __init__(self, middleware: Sequence[str]) -> None:
        instances = []
        for path in middleware:
            try:
                instance = import_string(path)(_Unused())
            except MiddlewareNotUsed:  # as Django's load_middleware: left out
                continue
            if not isinstance(instance, MiddlewareMixin):
                raise TypeError(f"{path} is not a MiddlewareMixin: its __call__ is its own")
            instances.append(instance)
        self.requests = [m.process_request for m in instances if hasattr(m, "process_request")]
        self.views = [m.process_view for m in instances if hasattr(m, "process_view")]
        self.responses = [
            m.process_response for m in reversed(instances) if hasattr(m, "process_response")
        ]
        self.templates = any(hasattr(m, "process_template_response") for m in instances)

    def run(self, request: HttpRequest, match: ResolverMatch) -> HttpResponseBase | None:
        """The response, or None when the stack or the view answers in a way the edge leaves to
        Django (a middleware's early answer, a template response)."""
        for process_request in self.requests:
            if process_request(request) is not None:
                return None
        if self.views:
            # A kept match is shared by the requests of its path: a view middleware gets this
            # request's own copy, as on Django's path (`device_stack.own_copy`).
            match = device_stack.own_copy(match)
            request.resolver_match = match
        for process_view in self.views:
            if process_view(request, match.func, match.args, match.kwargs) is not None:
                return None
        view = _ATOMIC.make_view_atomic(match.func)
        response = view(request, *match.args, **match.kwargs)
        if not isinstance(response, HttpResponseBase) or hasattr(response, "render"):
            return None
        for process_response in self.responses:
            response = process_response(request, response)
        return response


# Django's handler's `make_view_atomic` (ATOMIC_REQUESTS), which reads no middleware.
_ATOMIC = BaseHandler()


class Edge:
    """WSGI middleware: answer the requests of `@answerable` views on the device's and the web
    sheet's stacks, pass every other request to `app`."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self._stacks: dict[str, FlatStack | None] | None = None
        # Django's request signals, sent as its WSGI handler sends them (its class as sender).
        self._started = Receivers(signals.request_started, WSGIHandler)
        self._finished = Receivers(signals.request_finished, WSGIHandler)
        self._resolved = device_stack.ResolvedPaths()

    def stack(self, name: str) -> FlatStack | None:
        if self._stacks is None:
            stacks: dict[str, FlatStack | None] = {}
            for key, middleware in (
                (device_stack.DEVICE, settings.MDM_DEVICE_MIDDLEWARE),
                (device_stack.WEB_SHEET, settings.MDM_WEB_SHEET_MIDDLEWARE),
            ):
                try:
                    stacks[key] = FlatStack(middleware)
                except TypeError:
                    stacks[key] = None
            self._stacks = stacks
        return self._stacks.get(name)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        # The stack Django would choose (device_stack.DeviceStackMiddleware); an ASCII path is
        # the same string in PATH_INFO (latin-1) as in Django's path_info (UTF-8).
        name = device_stack.stack_for(path, environ.get("HTTP_ACCEPT", ""))
        if name is None or not path.isascii() or len(path) > device_stack.ResolvedPaths.LONGEST:
            return self.app(environ, start_response)
        stack = self.stack(name)
        if stack is None:
            return self.app(environ, start_response)
        try:
            match = self._resolved.get(get_resolver(), path)
        except Exception:  # no such route (Resolver404): Django's 404
            return self.app(environ, start_response)
        when = getattr(match.func, EDGE_ATTRIBUTE, None)
        if when is None:
            return self.app(environ, start_response)
        # The body, read once: Django reads it again if it takes over. A length that is not
        # ASCII digits, a Transfer-Encoding, a body over the limit: Django's to refuse
        # (mdm_server/content_length.py).
        # Only a POST's body is read here: Django never reads another's (a GET's body sent
        # slowly would hold a thread here, and not there).
        length = untrusted.natural(environ.get("CONTENT_LENGTH") or "0")
        if (
            length is None
            or length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            or (length and environ.get("REQUEST_METHOD") != "POST")
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if len(body) != length:
            return self.app(environ, start_response)
        response = self.answer(environ, body, stack, match, when)
        if response is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(status, headers)
        return [response.content]

    def answer(
        self,
        environ: dict[str, Any],
        body: bytes,
        stack: FlatStack,
        match: ResolverMatch,
        when: Callable[[HttpRequest], bool],
    ) -> HttpResponse | None:
        """Django's response to the request, or None when Django should answer it."""
        try:
            # A copy: the middleware write into META (the CSRF cookie), and Django starts from
            # the request as sent should it take over.
            own = dict(environ)
            own["wsgi.input"] = io.BytesIO(body)
            request = WSGIRequest(own)
            # Asked before the cycle begins: a request the edge hands over (the profile POST with
            # its token, the sign-in POST, PKIOperation) costs no request signals, script prefix
            # or URLconf here on top of Django's own.
            if not when(request):
                return None
        except Exception:  # Django answers, and logs, the same request
            return None
        # Django's handler: the script prefix, then the request signals around the request.
        set_script_prefix(get_script_name(environ))
        self._started.send(environ=environ)
        try:
            request.resolver_match = match
            set_urlconf(settings.ROOT_URLCONF)
            answered = stack.run(request, match)
            if not isinstance(answered, HttpResponse):  # None, or a streaming response
                return None
            response = answered
            if response.status_code >= 400:
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
            request.close()
            return response
        except Exception:
            # Django answers, and logs, the same request: its 404, 400 (a disallowed host), the
            # 503 of an unreachable database, a 500 with its traceback.
            return None
        finally:
            # Its receivers include Django's reset of the URLconf set above.
            self._finished.send()
