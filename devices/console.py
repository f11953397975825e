"""Devices console: list (search, filters, columns, keyset pages, CSV), detail, actions, bulk."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from devices import commands, hooks, selectors, services
from devices.filters import (
    CommandOverviewFilterSet,
    DeliveryFilterSet,
    DeviceEventFilterSet,
    DeviceFilterSet,
    TargetFilterSet,
)
from devices.models import Command, Enrollment, LifecycleSettings, QueuedCommand
from devices.services import lifecycle
from devices.services import renewal as renewal_services
from mdm_server import audit, roles

PAGE_SIZE = 50
LOG_PAGE_SIZE = 100
MAX_BULK = 10_000
MAX_UPLOAD = 5 * 1024 * 1024
# What the capability filter needs to decide for one device (bulk preview).
PREVIEW_FIELDS = ("pk", "public_id", "platform", "os_version", "enrollment_type", "supervised",
                  "channel", "status")  # fmt: skip


# --- columns -----------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _ue_enrolled(e: Enrollment) -> str:
    # Ivanti's "User Enrollment Enrolled" column: is this a User Enrollment that is enrolled now?
    return _yes_no(e.is_user_enrollment and e.status == Enrollment.Status.ENROLLED)


def _hardware(attr: str) -> Any:
    return lambda e: "" if e.is_user_enrollment else (getattr(e, attr) or "")


def _when(attr: str) -> Any:
    def get(e: Enrollment) -> str:
        value = getattr(e, attr)
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return get


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    get: Any  # Callable[[Enrollment], str]
    default: bool = False


COLUMNS = [
    Column("name", "Name", lambda e: e.display_name, True),
    Column("type", "Enrollment type", lambda e: e.get_enrollment_type_display(), True),
    Column("platform", "Platform", lambda e: e.platform, True),
    Column("os_version", "OS version", lambda e: e.os_version, True),
    Column("model", "Model", lambda e: e.model_name or e.product_name),
    Column("status", "Status", lambda e: e.get_status_display(), True),
    Column("last_seen", "Last seen", _when("last_seen_at"), True),
    Column("inventory", "Inventory", _when("inventory_at"), True),
    Column("managed_apple_id", "Managed Apple ID", lambda e: e.managed_apple_id, True),
    Column("ue_enrolled", "User Enrollment Enrolled", _ue_enrolled),
    Column("user", "User", lambda e: e.directory_user.username if e.directory_user else ""),
    Column("supervised", "Supervised", lambda e: _yes_no(e.supervised)),
    Column("serial_number", "Serial number", _hardware("serial_number")),
    Column("udid", "UDID", _hardware("udid")),
    Column("enrolled_at", "Enrolled", _when("enrolled_at")),
    Column("pushable", "Reachable by push", lambda e: _yes_no(e.is_pushable)),
    Column("id", "ID", lambda e: str(e.public_id)),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_COLUMNS = [c.key for c in COLUMNS if c.default]
EXPORT_COLUMNS = [
    "id", "name", "type", "platform", "os_version", "model", "status", "last_seen", "inventory",
    "managed_apple_id", "ue_enrolled", "user", "supervised", "serial_number", "udid",
    "enrolled_at", "pushable",
]  # fmt: skip

# Spreadsheets run cells that start with these as formulas (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: formula-like values get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# The list remembers the chosen columns and page size in a cookie: nothing to store per account,
# and a GET stays free of writes. Unknown values in it are ignored, as in the query string.
COLUMNS_COOKIE = "mdm_device_columns"
PAGE_SIZE_COOKIE = "mdm_device_page_size"
PAGE_SIZES = (25, 50, 100, 200)
REMEMBER_SECONDS = 365 * 24 * 3600


def _chosen_columns(request: HttpRequest) -> list[Column]:
    asked = request.GET.getlist("col") or request.COOKIES.get(COLUMNS_COOKIE, "").split(",")
    keys = [k for k in asked if k in COLUMN_BY_KEY]
    return [COLUMN_BY_KEY[k] for k in (keys or DEFAULT_COLUMNS)]


def _page_size(request: HttpRequest) -> int:
    raw = request.GET.get("size") or request.COOKIES.get(PAGE_SIZE_COOKIE, "")
    if not raw:
        return PAGE_SIZE
    if raw not in {str(n) for n in PAGE_SIZES}:
        if "size" in request.GET:
            raise BadListParameter(f"size must be one of {', '.join(str(n) for n in PAGE_SIZES)}")
        return PAGE_SIZE  # a stale cookie
    return int(raw)


class BadListParameter(ValueError):
    """A list parameter that is not one of its allowed values; the message says which are."""


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise Http404(f"{name} must be a number") from None
    if value < 0:
        raise Http404(f"{name} must be positive")
    return value


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


# --- list ----------------------------------------------------------------------------------------


@roles.console_view()
def device_list(request: HttpRequest) -> HttpResponse:
    filterset = DeviceFilterSet(request.GET, queryset=selectors.devices())
    columns = _chosen_columns(request)
    try:
        size = _page_size(request)
    except BadListParameter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    page = None
    if filterset.is_valid():
        qs = filterset.qs
        if any(c.key == "user" for c in columns):
            qs = qs.select_related("directory_user")
        page = selectors.keyset_page(
            qs, after=_int_param(request, "after"), before=_int_param(request, "before"),
            size=size,
        )  # fmt: skip
        page.count, page.count_capped = selectors.capped_count(filterset.qs)
    rows = [
        (device, [column.get(device) for column in columns])
        for device in (page.rows if page else [])
    ]
    base_query = _query_without(request, "after", "before")
    response = render(
        request,
        "devices/list.html",
        {
            "section": "devices",
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "columns": columns,
            "all_columns": COLUMNS,
            "chosen": {c.key for c in columns},
            "base_query": base_query,
            "filter_query": _query_without(request, "after", "before", "col", "size"),
            "actions": list(commands.REGISTRY.values()),
            "page_size": size,
            "page_sizes": PAGE_SIZES,
        },
    )
    if "col" in request.GET:
        keys = ",".join(c.key for c in columns)
        response.set_cookie(COLUMNS_COOKIE, keys, max_age=REMEMBER_SECONDS, samesite="Lax")
    if "size" in request.GET:
        response.set_cookie(PAGE_SIZE_COOKIE, str(size), max_age=REMEMBER_SECONDS, samesite="Lax")
    return response


@roles.console_view()
def device_export(request: HttpRequest) -> HttpResponse:
    filterset = DeviceFilterSet(request.GET, queryset=selectors.devices())
    if not filterset.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        return HttpResponse(f"Invalid filter: {errors}", status=400, content_type="text/plain")
    columns = [COLUMN_BY_KEY[k] for k in EXPORT_COLUMNS]
    qs = filterset.qs.select_related("directory_user").order_by("-pk")

    def lines() -> Iterator[str]:
        buffer = _Echo()
        writer = csv.writer(buffer)
        yield writer.writerow([c.label for c in columns])
        for device in qs.iterator(chunk_size=2000):
            yield writer.writerow([csv_cell(c.get(device)) for c in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="devices-{stamp}.csv"'
    audit.record(
        actor=request.user, action="devices.exported", details={"filter": request.GET.dict()}
    )
    return response


class _Echo:
    """A file-like object whose write() returns the line, for a streamed csv.writer."""

    def write(self, value: str) -> str:
        return value


# --- detail --------------------------------------------------------------------------------------


TABS = ("summary", "inventory", "commands", "logs")


def _device(public_id: Any) -> Enrollment:
    return get_object_or_404(
        selectors.devices().select_related("directory_user"), public_id=public_id
    )


@roles.console_view()
def device_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    device = _device(public_id)
    tab = request.GET.get("tab", "summary")
    if tab not in TABS:
        tab = "summary"
    context: dict[str, Any] = {
        "section": "devices",
        "device": device,
        "tab": tab,
        "tabs": TABS,
        "actions": selectors.actions_for(device),
        "user_channels": list(device.user_channels.all()),
        "gone_reason": lifecycle.gone_reason(device, days=LifecycleSettings.load().gone_after_days),
    }
    if tab == "summary":
        context["panels"] = hooks.device_panels(device)
    if tab == "inventory":
        context.update(
            apps=list(device.apps.all()[:500]),
            profiles=list(device.profiles.all()[:500]),
            certificates=list(device.certificates.all()[:500]),
            security=[(k, selectors.scalar(v)) for k, v in sorted(device.security_info.items())],
        )
    elif tab == "commands":
        filterset = DeliveryFilterSet(request.GET, queryset=selectors.deliveries_for(device))
        page = None
        if filterset.is_valid():
            page = selectors.keyset_page(
                filterset.qs, after=_int_param(request, "after"),
                before=_int_param(request, "before"), size=PAGE_SIZE,
            )  # fmt: skip
        context.update(
            filterset=filterset,
            page=page,
            deliveries=[
                (d, selectors.readable_lines(doc) if (doc := selectors.result_document(d)) else [])
                for d in (page.rows if page else [])
            ],
            base_query=_query_without(request, "after", "before"),
            pending_statuses=list(QueuedCommand.PENDING),
            request_types=sorted({s.request_type for s in commands.REGISTRY.values()}),
        )
    elif tab == "logs":
        filterset = DeviceEventFilterSet(request.GET, queryset=selectors.events_for(device))
        page = None
        if filterset.is_valid():
            page = selectors.keyset_page(
                filterset.qs, after=_int_param(request, "after"),
                before=_int_param(request, "before"), size=LOG_PAGE_SIZE,
            )  # fmt: skip
        context.update(
            filterset=filterset,
            page=page,
            event_actions=selectors.event_actions(device),
            base_query=_query_without(request, "after", "before"),
        )
    return render(request, "devices/detail.html", context)


# --- actions -------------------------------------------------------------------------------------


def command_form_class(spec: commands.CommandSpec) -> type[forms.Form]:
    """A form for one registry command: its parameters, plus a confirmation when destructive."""
    fields: dict[str, forms.Field] = {}
    for p in spec.params:
        if p.kind == "str":
            fields[p.name] = forms.CharField(
                required=p.required, max_length=p.max_length, help_text=p.help
            )
        elif p.kind == "int":
            fields[p.name] = forms.IntegerField(required=p.required, help_text=p.help)
        elif p.kind == "bool":
            fields[p.name] = forms.BooleanField(required=False, help_text=p.help)
        elif p.kind == "data":
            fields[p.name] = forms.FileField(required=p.required, help_text=p.help)
        else:  # list / dict: text, JSON where the command needs structure
            help_text = p.help or (
                "JSON" if p.kind == "dict" else "Comma- or line-separated values, or a JSON list"
            )
            fields[p.name] = forms.CharField(
                required=p.required,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=help_text,
                max_length=20_000,
            )
    if spec.destructive:
        fields["confirm"] = forms.BooleanField(
            required=True,
            label=f"Yes, {spec.title[0].lower()}{spec.title[1:]}",
            error_messages={"required": "Tick this box to confirm: this action is destructive."},
        )
    return type(f"{spec.name}Form", (forms.Form,), fields)


def params_from(spec: commands.CommandSpec, form: forms.Form) -> dict[str, Any]:
    """Cleaned form values in the shape the command builder expects; form errors on bad JSON."""
    out: dict[str, Any] = {}
    for p in spec.params:
        value = form.cleaned_data.get(p.name)
        if value in (None, ""):
            continue
        if p.kind == "data":
            if value.size > MAX_UPLOAD:
                raise commands.CommandInputError(p.name, "is larger than 5 MB")
            value = value.read()
        elif p.kind in ("list", "dict") and (p.kind == "dict" or value.lstrip().startswith("[")):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise commands.CommandInputError(p.name, f"is not valid JSON: {exc.msg}") from None
        out[p.name] = value
    return out


def _spec_or_404(name: str) -> commands.CommandSpec:
    spec = commands.REGISTRY.get(name)
    if spec is None:
        raise Http404("unknown command")
    return spec


def _enqueue(
    request: HttpRequest, spec: commands.CommandSpec, form: forms.Form, targets: Any
) -> services.EnqueueResult | None:
    try:
        params = params_from(spec, form)
        result = services.enqueue_command(
            enrollments=targets,
            request_type=spec.name,
            payload=params,
            actor=request.user,
            origin="console",
        )
    except commands.CommandInputError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    listed = targets if isinstance(targets, list) else []
    audit.record(
        actor=request.user,
        action="devices.command_queued",
        # One device: the device is the target; a bulk action: the stored command.
        target=listed[0] if len(listed) == 1 else result.command,
        details=selectors.enqueue_details(
            spec=spec, result=result, origin="console", targets=listed
        ),
    )
    return result


@roles.console_view()
def device_action(request: HttpRequest, public_id: Any, name: str) -> HttpResponse:
    device = _device(public_id)
    spec = _spec_or_404(name)
    action = next(a for a in selectors.actions_for(device) if a.spec.name == spec.name)
    bound = request.method == "POST"
    form = command_form_class(spec)(
        request.POST if bound else None, request.FILES if bound else None
    )
    if request.method == "POST" and not action.allowed:
        messages.error(request, f"{spec.title} is not allowed for this device: {action.reason}")
        return render(
            request,
            "devices/action.html",
            {"section": "devices", "device": device, "spec": spec, "form": form, "action": action},
            status=400,
        )
    if request.method == "POST" and form.is_valid():
        result = _enqueue(request, spec, form, [device])
        if result is not None:
            if result.queued:
                messages.success(request, f"{spec.title} queued.")
                for note in result.notes.get(device.pk, []):
                    messages.info(request, note)
                return redirect(
                    reverse("devices-detail", args=[device.public_id]) + "?tab=commands"
                )
            messages.error(request, f"Not queued: {result.refused.get(device.pk, 'refused')}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "devices/action.html",
        {"section": "devices", "device": device, "spec": spec, "form": form, "action": action},
        status=status,
    )


@require_POST
@roles.console_view()
def delivery_cancel(request: HttpRequest, public_id: Any, delivery_id: int) -> HttpResponse:
    """Cancel one pending command of this device (POST; administrators)."""
    device = _device(public_id)
    delivery = get_object_or_404(selectors.deliveries_for(device), pk=delivery_id)
    url = reverse("devices-detail", args=[device.public_id]) + "?tab=commands"
    if not services.cancel_queued_command(
        delivery=delivery, reason=f"canceled by {request.user.get_username()}"
    ):
        messages.error(
            request,
            f"Not canceled: the command is already {delivery.get_status_display().lower()}.",
        )
        return redirect(url)
    audit.record(
        actor=request.user,
        action="devices.command_canceled",
        target=device,
        details={"command": delivery.command.uuid, "request_type": delivery.command.request_type},
    )
    messages.success(request, f"{delivery.command.request_type} canceled.")
    return redirect(url)


class LifecycleSettingsForm(forms.ModelForm):
    class Meta:
        model = LifecycleSettings
        fields = list(lifecycle.SETTINGS_FIELDS)
        labels = {
            "inventory_refresh_hours": "Refresh inventory every (hours)",
            "gone_after_days": "Probably gone after silence of (days)",
            "retention_days": "Keep an ended User Enrollment for (days)",
            "renewal_window_days": "Renew device identities before expiry (days)",
            "server_certificate_warning_days": "Warn before the server CA or signing "
            "certificate expires (days)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Added later than the others: a client that does not send them keeps their value.
        for name in ("renewal_window_days", "server_certificate_warning_days"):
            self.fields[name].required = False


@roles.console_view()
def lifecycle_settings(request: HttpRequest) -> HttpResponse:
    """Inventory refresh period, probably-gone threshold, retention, identity renewal window and
    server-certificate warning (administrators save)."""
    current = LifecycleSettings.load()
    form = LifecycleSettingsForm(
        request.POST if request.method == "POST" else None, instance=current
    )
    if request.method == "POST" and form.is_valid():
        values = {
            name: form.cleaned_data[name]
            for name in lifecycle.SETTINGS_FIELDS
            if form.cleaned_data[name] is not None
        }
        lifecycle.save_settings(values=values, actor=request.user)
        messages.success(request, "Lifecycle settings saved.")
        return redirect(reverse("devices-lifecycle"))
    return render(
        request,
        "devices/lifecycle.html",
        {"section": "devices", "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@roles.console_view()
def device_retire(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Retire a device that is probably gone: unenroll it as if it had checked out (POST;
    administrators). A device that is not probably gone is refused with the reason."""
    device = _device(public_id)
    days = LifecycleSettings.load().gone_after_days
    if not lifecycle.gone_reason(device, days=days):
        messages.error(
            request,
            f"Not retired: this device is not probably gone (it was seen within {days} days and "
            "APNs still accepts its push token). Use Unenroll if it must go anyway.",
        )
        response = device_detail(request, public_id)
        response.status_code = 400
        return response
    lifecycle.retire(enrollment=device, actor=request.user)
    messages.success(request, "Device retired: unenrolled, its certificate revoked.")
    return redirect(reverse("devices-detail", args=[device.public_id]))


@require_POST
@roles.console_view()
def device_renew_identity(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Renew a device's identity certificate now, whatever its expiry (POST; administrators):
    its updated enrollment profile is queued (InstallProfile), the device gets it at its next
    poll without user action."""
    device = _device(public_id)
    reason = renewal_services.request_renewal(enrollment=device, actor=request.user)
    if reason:
        messages.error(request, f"Identity not renewed: {reason}")
        response = device_detail(request, public_id)
        response.status_code = 400
        return response
    messages.success(request, "Identity renewal queued: the device installs it at its next poll.")
    return redirect(reverse("devices-detail", args=[device.public_id]))


# --- bulk ---------------------------------------------------------------------------------------


def _bulk_targets(data: QueryDict) -> tuple[Any, str, int]:
    """The selected devices: chosen ids, or everything matching the list's filter."""
    if data.get("all_matching") == "1":
        filter_query = data.get("filter", "")
        filterset = DeviceFilterSet(QueryDict(filter_query), queryset=selectors.devices())
        if not filterset.is_valid():
            raise BulkError("the list filter is invalid; go back to the list and fix it")
        count, capped = selectors.capped_count(filterset.qs, cap=MAX_BULK)
        if capped:
            raise BulkError(f"more than {MAX_BULK:,} devices match: narrow the filter")
        return filterset.qs, filter_query, count
    ids = data.getlist("ids")
    if not ids:
        raise BulkError("select at least one device")
    if len(ids) > MAX_BULK:
        raise BulkError(f"select at most {MAX_BULK:,} devices")
    try:
        qs = selectors.devices().filter(public_id__in=ids)
        count = qs.count()
    except Exception:  # a malformed id is a ValidationError on UUID fields
        raise BulkError("the selection contains an invalid device id") from None
    if count == 0:
        raise BulkError("none of the selected devices exists any more")
    return qs, "", count


class BulkError(ValueError):
    """The bulk selection cannot be used; the message says why."""


@roles.console_view()
def bulk_action(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    spec = commands.REGISTRY.get(data.get("action", ""))
    if spec is None:
        messages.error(request, "Choose an action for the selected devices.")
        return redirect(reverse("devices-list") + "?" + data.get("filter", ""))
    try:
        targets, filter_query, count = _bulk_targets(data)
    except BulkError as exc:
        messages.error(request, f"Bulk {spec.title.lower()}: {exc}.")
        return redirect(reverse("devices-list") + "?" + data.get("filter", ""))
    form = command_form_class(spec)(
        request.POST if request.method == "POST" and "submit" in request.POST else None,
        request.FILES or None,
    )
    if form.is_bound and form.is_valid():
        result = _enqueue(request, spec, form, targets)
        if result is not None:
            if not result.commands:
                reasons = sorted(set(result.refused.values()))
                messages.error(request, "Not queued for any device: " + "; ".join(reasons[:5]))
            else:
                if result.refused:
                    messages.warning(
                        request,
                        f"{len(result.refused)} device(s) refused: "
                        + "; ".join(sorted(set(result.refused.values()))[:5]),
                    )
                query = urlencode([("c", c.pk) for c in result.commands])
                return redirect(reverse("devices-commands") + "?" + query)
    preview = None
    if not form.is_bound:
        preview = selectors.refusal_preview(spec, targets.only(*PREVIEW_FIELDS).iterator())
    return render(
        request,
        "devices/bulk.html",
        {
            "section": "devices",
            "spec": spec,
            "form": form,
            "count": count,
            "ids": data.getlist("ids"),
            "all_matching": data.get("all_matching") == "1",
            "filter": filter_query or data.get("filter", ""),
            "preview": preview,
        },
        status=400 if form.is_bound else 200,
    )


COMMANDS_PAGE_SIZE = 50
TARGETS_PAGE_SIZE = 100


@roles.console_view()
def command_list(request: HttpRequest) -> HttpResponse:
    """Every command across devices with its target count and progress (`?c=`: a bulk action's)."""
    if "c" in request.GET:
        return command_progress(request)
    filterset = CommandOverviewFilterSet(request.GET, queryset=selectors.commands_overview())
    page = None
    progress: list[tuple[Command, dict[str, int]]] = []
    if filterset.is_valid():
        page = selectors.keyset_page(
            filterset.qs, after=_int_param(request, "after"), before=_int_param(request, "before"),
            size=COMMANDS_PAGE_SIZE,
        )  # fmt: skip
        counts = selectors.commands_progress([c.pk for c in page.rows])
        progress = [(c, counts[c.pk]) for c in page.rows]
    return render(
        request,
        "devices/command_list.html",
        {
            "section": "commands",
            "filterset": filterset,
            "page": page,
            "progress": progress,
            "request_types": sorted(spec.request_type for spec in commands.REGISTRY.values()),
            "base_query": _query_without(request, "after", "before"),
        },
        status=200 if filterset.is_valid() else 400,
    )


@roles.console_view()
def command_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One command: its progress and each target with status, reason and error chain."""
    command = get_object_or_404(selectors.commands_overview(), pk=pk)
    filterset = TargetFilterSet(request.GET, queryset=selectors.command_targets(command))
    page = None
    if filterset.is_valid():
        page = selectors.keyset_page(
            filterset.qs, after=_int_param(request, "after"), before=_int_param(request, "before"),
            size=TARGETS_PAGE_SIZE,
        )  # fmt: skip
    return render(
        request,
        "devices/command_detail.html",
        {
            "section": "commands",
            "command": command,
            "n": selectors.command_progress(command),
            "filterset": filterset,
            "page": page,
            "base_query": _query_without(request, "after", "before"),
        },
        status=200 if filterset.is_valid() else 400,
    )


def command_progress(request: HttpRequest) -> HttpResponse:
    """Progress of one or more commands (a bulk action): counts by status, polled by htmx."""
    try:
        pks = [int(v) for v in request.GET.getlist("c")][:20]
    except ValueError:
        raise Http404("unknown command") from None
    rows = list(Command.objects.filter(pk__in=pks).select_related("created_by").order_by("pk"))
    if not rows:
        raise Http404("unknown command")
    by_command = selectors.commands_progress([c.pk for c in rows])
    progress = [(c, by_command[c.pk]) for c in rows]
    totals: dict[str, int] = {}
    for _, counts in progress:
        for key, n in counts.items():
            totals[key] = totals.get(key, 0) + n
    context = {
        "section": "devices",
        "progress": progress,
        "totals": totals,
        "done": totals.get("pending", 0) == 0,
        "query": request.GET.urlencode(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "devices/_progress.html", context)
    return render(request, "devices/commands.html", context)
