"""Devices console: list (search, filters, columns, keyset pages, CSV), detail, actions, bulk."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from devices import capabilities, commands, hooks, selectors, services
from devices.filters import (
    CommandOverviewFilterSet,
    DeliveryFilterSet,
    DeviceEventFilterSet,
    DeviceFilterSet,
    TargetFilterSet,
)
from devices.models import (
    DEVICE_SORTABLE_COLUMNS,
    SORTABLE_COLUMNS,
    Command,
    Enrollment,
    LifecycleSettings,
    QueuedCommand,
    SavedFilter,
)
from devices.services import lifecycle, saved_filters
from devices.services import renewal as renewal_services
from mdm_server import audit, roles, times, untrusted
from mdm_server.selectors import BadCursor, SortKey

PAGE_SIZE = 50
LOG_PAGE_SIZE = 100
MAX_BULK = 10_000
MAX_UPLOAD = 5 * 1024 * 1024
# What the capability filter needs to decide for one device (bulk preview).
PREVIEW_FIELDS = ("pk", "public_id", "enrollment_type", "channel", "status", "device__platform",
                  "device__os_version", "device__supervised")  # fmt: skip


# --- columns -----------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _ue_enrolled(e: Enrollment) -> str:
    # Ivanti's "User Enrollment Enrolled" column: is this a User Enrollment that is enrolled now?
    return _yes_no(e.is_user_enrollment and e.status == Enrollment.Status.ENROLLED)


def _hardware(attr: str) -> Any:
    return lambda e: "" if e.is_user_enrollment else (getattr(e.device, attr) or "")


def _when(attr: str) -> Any:
    # The moment itself: the page writes it with the `when` filter, the CSV export as text.
    return lambda e: getattr(e, attr)


def _text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return times.absolute(timezone.localtime(value))
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    get: Any  # Callable[[Enrollment], str]
    default: bool = False
    sort: SortKey | None = None  # sortable: an indexed field (models.SORTABLE_COLUMNS)
    ident: bool = False  # a long identifier: may wrap anywhere so the table fits the window

    @property
    def time(self) -> bool:
        return self.sort is not None and self.sort.is_time


def _sort(field: str, *, time: bool = False) -> SortKey:
    """A channel column, or a Device column (`device__<column>`); each has its index."""
    column = field.removeprefix("device__")
    on_device = field.startswith("device__")
    sortable = DEVICE_SORTABLE_COLUMNS if on_device else SORTABLE_COLUMNS
    assert column in sortable, field  # noqa: S101 (each sort key needs its index)
    # A Device column is ordered with the Device's id (one device channel per Device), so the
    # Device's (column, id) index gives the order.
    return SortKey(field, nullable=time, is_time=time, tiebreak="device_id" if on_device else "pk")


COLUMNS = [
    Column("name", "Name", lambda e: e.display_name, True),
    Column(
        "type",
        "Enrollment type",
        lambda e: e.get_enrollment_type_display(),
        True,
        _sort("enrollment_type"),
    ),
    Column("platform", "Platform", lambda e: e.device.platform, True, _sort("device__platform")),
    Column("ownership", "Ownership", lambda e: e.device.get_ownership_display()),
    Column("os_version", "OS version", lambda e: e.device.os_version, True),
    Column("model", "Model", lambda e: e.device.model_name or e.device.product_name),
    Column("status", "Status", lambda e: e.get_status_display(), True, _sort("status")),
    Column("last_seen", "Last seen", _when("last_seen_at"), True, _sort("last_seen_at", time=True)),
    Column(
        "inventory",
        "Inventory",
        lambda e: e.device.inventory_at,
        True,
        _sort("device__inventory_at", time=True),
    ),
    Column(
        "managed_apple_id",
        "Managed Apple ID",
        lambda e: e.device.managed_apple_id,
        True,
        _sort("device__managed_apple_id"),
        ident=True,
    ),
    Column("ue_enrolled", "User Enrollment Enrolled", _ue_enrolled),
    Column(
        "user",
        "User",
        lambda e: e.device.directory_user.username if e.device.directory_user else "",
    ),
    Column("supervised", "Supervised", lambda e: _yes_no(e.device.supervised)),
    Column("serial_number", "Serial number", _hardware("serial_number"), ident=True),
    Column("udid", "UDID", _hardware("udid"), ident=True),
    Column("enrolled_at", "Enrolled", _when("enrolled_at"), sort=_sort("enrolled_at", time=True)),
    Column("pushable", "Reachable by push", lambda e: _yes_no(e.is_pushable)),
    Column("id", "ID", lambda e: str(e.public_id), ident=True),
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


def _sort_param(request: HttpRequest) -> tuple[Column | None, bool]:
    """The column the list is sorted by (None: newest first) and whether descending."""
    raw = request.GET.get("sort", "")
    if not raw:
        return None, True
    column = COLUMN_BY_KEY.get(raw.removeprefix("-"))
    if column is None or column.sort is None:
        sortable = ", ".join(c.key for c in COLUMNS if c.sort)
        raise BadListParameter(f"sort must be one of {sortable}, each optionally with a leading -")
    return column, raw.startswith("-")


def _text_param(request: HttpRequest, name: str) -> str | None:
    return request.GET.get(name) or None


@roles.console_view()
def device_list(request: HttpRequest) -> HttpResponse:
    filterset = DeviceFilterSet(request.GET, queryset=selectors.devices())
    columns = _chosen_columns(request)
    try:
        size = _page_size(request)
        sort_column, descending = _sort_param(request)
    except BadListParameter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    page = None
    total = None
    if filterset.is_valid():
        qs = filterset.qs
        if any(c.key == "user" for c in columns):
            qs = qs.select_related("device__directory_user")
        if sort_column is not None and sort_column.sort is not None:
            try:
                page = selectors.sorted_keyset_page(
                    qs, key=sort_column.sort, descending=descending,
                    after=_text_param(request, "after"), before=_text_param(request, "before"),
                    size=size,
                )  # fmt: skip
            except BadCursor as exc:
                return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        else:
            page = selectors.keyset_page(
                qs, after=_int_param(request, "after"), before=_int_param(request, "before"),
                size=size,
            )  # fmt: skip
        total = selectors.list_total(filterset.qs)
    rows = [
        (device, [(column, column.get(device)) for column in columns])
        for device in (page.rows if page else [])
    ]
    base_query = _query_without(request, "after", "before")
    sort_query = _query_without(request, "after", "before", "sort")
    # A header sorts by its column, newest or highest first; clicked again, the other way round.
    headers = [
        (c, (("" if c is sort_column and descending else "-") + c.key) if c.sort else "")
        for c in columns
    ]
    response = render(
        request,
        "devices/list.html",
        {
            "section": "devices",
            "filterset": filterset,
            "page": page,
            "total": total,
            "rows": rows,
            "columns": columns,
            "all_columns": COLUMNS,
            "chosen": {c.key for c in columns},
            "base_query": base_query,
            "sort_query": sort_query,
            "headers": headers,
            "sorted_by": sort_column.key if sort_column else "",
            "sorted_descending": descending,
            "filter_query": _query_without(request, "after", "before", "col", "size"),
            "saved_query": _query_without(request, "after", "before"),
            "saved_filters": list(SavedFilter.objects.filter(owner=_me(request))),
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


@require_POST
@roles.console_view(own_account=True)
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    """Save the list's current filter under a name, for the signed-in account only (POST)."""
    query = request.POST.get("query", "")
    try:
        saved = saved_filters.save_filter(
            owner=_me(request), name=request.POST.get("name", ""), query=query
        )
    except saved_filters.SavedFilterRefused as exc:
        messages.error(request, f"Filter not saved: {exc}")
        return redirect(reverse("devices-list") + "?" + _safe_query(query))
    messages.success(request, f"Filter saved as “{saved.name}”.")
    return redirect(reverse("devices-list") + "?" + saved.query)


@require_POST
@roles.console_view(own_account=True)
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not saved_filters.delete_filter(owner=_me(request), pk=pk):
        raise Http404("You have no saved filter with this id.")
    messages.success(request, "Saved filter deleted.")
    return redirect(reverse("devices-list"))


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # console_view lets only signed-in accounts in


def _safe_query(query: str) -> str:
    return QueryDict(query).urlencode()


@roles.console_view()
def device_export(request: HttpRequest) -> HttpResponse:
    filterset = DeviceFilterSet(request.GET, queryset=selectors.devices())
    if not filterset.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        return HttpResponse(f"Invalid filter: {errors}", status=400, content_type="text/plain")
    columns = [COLUMN_BY_KEY[k] for k in EXPORT_COLUMNS]
    qs = filterset.qs.select_related("device__directory_user").order_by("-pk")

    def lines() -> Iterator[str]:
        buffer = _Echo()
        writer = csv.writer(buffer)
        yield writer.writerow([c.label for c in columns])
        for device in qs.iterator(chunk_size=2000):
            yield writer.writerow([csv_cell(_text(c.get(device))) for c in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="devices-{stamp}.csv"'
    # The filter as applied: its fields' values, which it validated (no parameter it ignores).
    bound = [filterset.form[name] for name in filterset.form.fields]
    applied = {field.name: field.data for field in bound if field.data not in (None, "", [])}
    audit.record(actor=request.user, action="devices.exported", details={"filter": applied})
    return response


class _Echo:
    """A file-like object whose write() returns the line, for a streamed csv.writer."""

    def write(self, value: str) -> str:
        return value


# --- detail --------------------------------------------------------------------------------------


TABS = ("summary", "inventory", "commands", "logs")


def _device(public_id: Any) -> Enrollment:
    return get_object_or_404(
        selectors.devices().select_related("device__directory_user"), public_id=public_id
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
        "user_channels": list(device.user_channels.select_related("device")),
        "gone_reason": lifecycle.gone_reason(device, days=LifecycleSettings.load().gone_after_days),
    }
    if tab == "summary":
        context["panels"] = hooks.device_panels(device)
    if tab == "inventory":
        context.update(
            apps=list(device.apps.all()[:500]),
            profiles=list(device.profiles.all()[:500]),
            certificates=list(device.certificates.all()[:500]),
            security=[
                (k, selectors.scalar(v)) for k, v in sorted(device.device.security_info.items())
            ],
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


# Words a label keeps as written (acronyms and product names) when a key is made readable.
_KEEP = ("iTunes", "PIN", "ID", "IDs", "URL", "OS", "MAC", "SIM")


def human_label(key: str) -> str:
    """'ManagedAppsOnly' -> 'Managed apps only', 'iTunesStoreID' -> 'iTunes Store ID'."""
    words = re.findall(r"iTunes|[A-Z]+(?![a-z])s?|[A-Z]?[a-z]+|\d+", key)
    out = []
    for i, word in enumerate(words):
        if word in _KEEP or word.isupper() or (word[:-1].isupper() and word.endswith("s")):
            out.append(word)
        elif i == 0:
            out.append(word[0].upper() + word[1:])
        elif word in ("Store",):
            out.append(word)
        else:
            out.append(word.lower())
    return " ".join(out) or key


class _GreyedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes of which some are shown but cannot be ticked; their title says why."""

    def __init__(
        self,
        *args: Any,
        greyed: dict[str, str] | None = None,
        greyed_label: str = "not for this device",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.greyed = greyed or {}
        self.greyed_label = greyed_label

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        reason = self.greyed.get(str(value))
        if reason:
            option["attrs"] = {**option["attrs"], "disabled": True, "title": reason}
            option["label"] = f"{option['label']} ({self.greyed_label})"
        return option


def _these(total: int) -> str:
    return "this device" if total == 1 else "the selected devices"


def _queries_field(
    spec: commands.CommandSpec, targets: dict[capabilities.Target, int]
) -> forms.Field:
    """DeviceInformation's Queries as a checklist from Apple's schema: what no selected device's
    platform has is left out; what none may be asked (a personal device) is greyed with why; one
    that only some may be asked says for how many."""
    tallies = [t for t in capabilities.query_option_tally(spec.request_type, targets) if t.shown]
    greyed = {t.key: t.reason for t in tallies if t.greyed}
    choices = [
        (t.key, f"{t.key} ({t.offered} of {t.total} devices)" if t.partial else t.key)
        for t in tallies
    ]
    total = sum(targets.values())

    def refuse_greyed(values: list[str]) -> None:
        refused = [v for v in values if v in greyed]
        if refused:
            raise forms.ValidationError(
                f"{_these(total)[0].upper()}{_these(total)[1:]} may not be asked "
                f"{', '.join(refused)}: {greyed[refused[0]]}"
            )

    help_text = (
        f"None ticked: everything {_these(total)} may be asked. Greyed: not for "
        f"{_these(total)}, with the reason in the box's tooltip."
    )
    if any(t.partial for t in tallies):
        help_text += (
            " A count after a query: how many of the selected devices may be asked it. A device "
            "whose platform lacks it is asked the rest; a device that may not be asked it does "
            "not get the command (the reason is in its log)."
        )
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        label="Information to ask for",
        help_text=help_text,
        widget=_GreyedCheckboxes(
            greyed=greyed, greyed_label=f"not for {_these(total)}", attrs={"class": "checklist"}
        ),
        validators=[refuse_greyed],
    )


def _partial_help(tally: capabilities.OptionTally) -> str:
    """What an option offered to only some of the selected devices does to the others."""
    parts = [f"For {tally.offered} of {tally.total} devices."]
    if tally.absent:
        parts.append(
            f"{tally.absent} {'has' if tally.absent == 1 else 'have'} no such option on "
            f"{'its' if tally.absent == 1 else 'their'} platform and ignore"
            f"{'s' if tally.absent == 1 else ''} it."
        )
    if tally.refused:
        parts.append(
            f"{tally.refused} may not be sent it ({tally.reason}): set, the action is refused "
            f"for {'it' if tally.refused == 1 else 'them'}."
        )
    return " ".join(parts)


def command_form_class(
    spec: commands.CommandSpec,
    *,
    target: capabilities.Target | None = None,
    targets: dict[capabilities.Target, int] | None = None,
    count: int = 1,
) -> type[forms.Form]:
    """A form for one registry command: its parameters (with readable labels; only the options
    the target's platform has — for a bulk action, `targets` {target: devices}, the options some
    selected device has, saying for how many when not all), plus a confirmation naming how many
    devices."""
    fields: dict[str, forms.Field] = {}
    if target is not None:
        targets = {target: 1}
    tallies = (
        capabilities.command_option_tally(spec.request_type, [p.name for p in spec.params], targets)
        if targets
        else {}
    )
    for p in spec.params:
        tally = tallies.get(p.name)
        if tally is not None and not tally.shown:
            continue  # no selected device's platform has such an option
        label = human_label(p.name)
        if p.name == "Queries" and targets:
            fields[p.name] = _queries_field(spec, targets)
        elif p.choices:
            blank = [] if p.required else [("", "(default)")]
            fields[p.name] = forms.ChoiceField(
                choices=[*blank, *((c, human_label(c)) for c in p.choices)],
                required=p.required,
                help_text=p.help,
                label=label,
            )
        elif p.kind == "str":
            fields[p.name] = forms.CharField(
                required=p.required, max_length=p.max_length, help_text=p.help, label=label
            )
        elif p.kind == "int":
            fields[p.name] = forms.IntegerField(required=p.required, help_text=p.help, label=label)
        elif p.kind == "bool":
            fields[p.name] = forms.BooleanField(required=False, help_text=p.help, label=label)
        elif p.kind == "data":
            fields[p.name] = forms.FileField(required=p.required, help_text=p.help, label=label)
        else:  # list / dict: text, JSON where the command needs structure
            help_text = p.help or (
                "JSON" if p.kind == "dict" else "Comma- or line-separated values, or a JSON list"
            )
            fields[p.name] = forms.CharField(
                required=p.required,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=help_text,
                max_length=20_000,
                label=label,
            )
        if tally is not None and tally.greyed:
            fields[p.name].disabled = True
            fields[p.name].help_text = f"Not for {_these(tally.total)}: {tally.reason}"
        elif tally is not None and tally.partial and p.name != "Queries":
            fields[p.name].help_text = " ".join(filter(None, [p.help, _partial_help(tally)]))
    if spec.destructive:
        what = f"{spec.title[0].lower()}{spec.title[1:]}"
        if count != 1:
            what = f"{what.replace(' device', '')} on {count} devices"
        fields["confirm"] = forms.BooleanField(
            required=True,
            label=f"Yes, {what}",
            error_messages={"required": "Tick this box to confirm: this action is destructive."},
        )
    return type(f"{spec.name}Form", (forms.Form,), fields)


def params_from(spec: commands.CommandSpec, form: forms.Form) -> dict[str, Any]:
    """Cleaned form values in the shape the command builder expects; form errors on bad JSON."""
    out: dict[str, Any] = {}
    for p in spec.params:
        value = form.cleaned_data.get(p.name)
        if value in (None, "", []):
            continue
        if p.kind == "data":
            if value.size > MAX_UPLOAD:
                raise commands.CommandInputError(p.name, "is larger than 5 MB")
            value = value.read()
        elif isinstance(value, list):
            pass  # a checklist: already the values
        elif p.kind in ("list", "dict") and (p.kind == "dict" or value.lstrip().startswith("[")):
            try:
                value = untrusted.load_json(value)
            except untrusted.UntrustedDataError as exc:
                raise commands.CommandInputError(p.name, f"is not valid JSON: {exc}") from None
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
    target = services.target_for(device) if action.allowed else None
    form = command_form_class(spec, target=target)(
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
    # What the capability filter will do, device by device: the confirmation names the count
    # that will really get the command.
    allowed, refused, kinds = selectors.refusal_preview(
        spec, targets.select_related("device").only(*PREVIEW_FIELDS).iterator()
    )
    preview = (allowed, refused)
    form = command_form_class(spec, targets=kinds, count=allowed)(
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
            "skipped": count - preview[0],
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
