"""Console pages: declarations (built, validated, with Apple's User-Enrollment verdicts), sets and
their assignments, and the declarative status per declaration and per device."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from devices.models import Enrollment
from mdm_server import roles
from profiles.declarations import asset_data, editor, forms, rules, services
from profiles.declarations.declaration_table import DECLARATIONS
from profiles.declarations.models import (
    AssetData,
    ChannelStatus,
    Declaration,
    DeclarationSet,
    DeclarationState,
    ManagedAppState,
    SetAssignment,
)

SECTION = "declarations"


def _errors(request: HttpRequest, exc: services.DeclarationError) -> None:
    for field, problems in exc.errors.items():
        for problem in problems:
            messages.error(request, f"{field}: {problem}")


@roles.console_view()
def declaration_list(request: HttpRequest) -> HttpResponse:
    declarations = Declaration.objects.annotate(
        active=Count("states", filter=Q(states__active=True)),
        failed=Count("states", filter=Q(states__valid="invalid")),
        in_sets=Count("sets", distinct=True),
    )
    sets = DeclarationSet.objects.annotate(
        members=Count("declarations", distinct=True),
        assigned=Count("assignments", distinct=True),
    )
    rows = [
        {
            "declaration": d,
            "user_enrollment": {
                platform: rules.refusal(
                    d.declaration_type, rules.ChannelKind(platform, "", "user", "system")
                )
                for platform in ("iOS", "macOS")
            },
        }
        for d in declarations
    ]
    return render(
        request,
        "declarations/list.html",
        {"section": SECTION, "rows": rows, "sets": sets, "form": forms.DeclarationForm()},
    )


def _payload_form(
    declaration_type: str, data: Any, existing: dict[str, Any]
) -> editor.PayloadForm | None:
    if declaration_type not in DECLARATIONS:
        return None
    form_class = editor.payload_form_class(declaration_type, services.server_keys(declaration_type))
    return form_class(data, prefix="p", existing=existing)


def _payload(meta: forms.DeclarationForm, fields: editor.PayloadForm | None) -> Any:
    """The payload the admin saves (the fields, or the JSON when asked), None on errors."""
    fields_valid = fields is None or fields.is_valid()
    if not meta.is_valid():
        return None
    if meta.cleaned_data["use_json"] or fields is None:
        return forms.json_payload(meta)
    return fields.payload() if fields_valid else None


def _put_errors(
    exc: services.DeclarationError,
    meta: forms.DeclarationForm,
    fields: editor.PayloadForm | None,
) -> None:
    """The service's errors on the fields they concern (a payload key's on its field)."""
    for name, problems in exc.errors.items():
        if name == "payload" and fields is not None and not meta.cleaned_data.get("use_json"):
            if rest := fields.add_payload_errors(problems):
                fields.add_error(None, rest)
        elif name in meta.fields:
            meta.add_error(name, problems)
        else:
            meta.add_error(None, [f"{name}: {p}" for p in problems])


def _json(payload: Any) -> str:
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)


@roles.console_view()
def declaration_create(request: HttpRequest) -> HttpResponse:
    data = request.POST or None
    chosen = request.POST.get("declaration_type") or request.GET.get("type") or ""
    meta = forms.DeclarationForm(data, initial={"declaration_type": chosen, "payload": "{}"})
    fields = _payload_form(chosen, data, {})
    if request.method == "POST" and (payload := _payload(meta, fields)) is not None:
        cleaned = meta.cleaned_data
        try:
            row = services.create_declaration(
                declaration_type=cleaned["declaration_type"],
                identifier=cleaned["identifier"],
                display_name=cleaned["display_name"],
                description=cleaned["description"],
                payload=payload,
                profile=cleaned["profile"],
                actor=request.user,
            )
        except services.DeclarationError as exc:
            _put_errors(exc, meta, fields)
        else:
            messages.success(request, f"Declaration {row.identifier} created.")
            return redirect("declarations-detail", pk=row.pk)
    return render(
        request,
        "declarations/form.html",
        {
            "section": SECTION,
            "form": meta,
            "meta": meta,
            "payload_form": fields,
            "chosen": chosen,
            "verdicts": rules.verdicts(chosen) if chosen in DECLARATIONS else [],
        },
    )


@roles.console_view()
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration, pk=pk)
    data = request.POST or None
    meta = forms.DeclarationEditForm(
        data,
        initial={
            "display_name": declaration.display_name,
            "description": declaration.description,
            "payload": _json(declaration.payload),
            "profile": declaration.profile_id,
        },
    )
    fields = _payload_form(declaration.declaration_type, data, declaration.payload or {})
    if request.method == "POST" and (payload := _payload(meta, fields)) is not None:
        cleaned = meta.cleaned_data
        try:
            services.update_declaration(
                declaration,
                payload=payload,
                display_name=cleaned["display_name"],
                description=cleaned["description"],
                profile=cleaned["profile"],
                actor=request.user,
            )
        except services.DeclarationError as exc:
            _put_errors(exc, meta, fields)
        else:
            messages.success(request, "Saved; devices that have it are told to synchronise.")
            return redirect("declarations-detail", pk=pk)
    states = DeclarationState.objects.filter(identifier=declaration.identifier).select_related(
        "enrollment"
    )
    withheld = ChannelStatus.objects.filter(
        withheld__has_key=declaration.identifier
    ).select_related("enrollment__device")[:200]
    return render(
        request,
        "declarations/detail.html",
        {
            "section": SECTION,
            "declaration": declaration,
            "payload_json": _json(declaration.payload),
            "form": meta,
            "meta": meta,
            "payload_form": fields,
            "chosen": declaration.declaration_type,
            "verdicts": rules.verdicts(declaration.declaration_type),
            "states": states[:500],
            "withheld": [(s.enrollment, s.withheld[declaration.identifier]) for s in withheld],
            "sets": declaration.sets.all(),
            "hosts_data": rules.hosts_data(declaration.declaration_type),
            "asset_data": AssetData.objects.filter(declaration=declaration)
            .defer("encrypted_data")
            .first(),
            "asset_form": forms.AssetDataForm(),
        },
    )


@require_POST
@roles.console_view()
def declaration_asset_data(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration, pk=pk)
    form = forms.AssetDataForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, problems in form.errors.items():
            messages.error(request, f"{field}: {'; '.join(str(p) for p in problems)}")
        return redirect("declarations-detail", pk=pk)
    upload = form.cleaned_data["file"]
    try:
        asset_data.upload_asset_data(
            declaration,
            data=upload.read(),
            content_type=form.cleaned_data["content_type"],
            filename=upload.name or "",
            actor=request.user,
        )
    except services.DeclarationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "File stored; the devices given this asset are told to sync.")
    return redirect("declarations-detail", pk=pk)


@require_POST
@roles.console_view()
def declaration_delete(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration, pk=pk)
    try:
        services.delete_declaration(declaration, actor=request.user)
    except services.DeclarationError as exc:
        _errors(request, exc)
        return redirect("declarations-detail", pk=pk)
    messages.success(request, "Declaration deleted; devices that had it are told.")
    return redirect("declarations-list")


@roles.console_view()
def set_create(request: HttpRequest) -> HttpResponse:
    form = forms.SetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.create_set(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                declarations=form.cleaned_data["declarations"],
                actor=request.user,
            )
        except services.DeclarationError as exc:
            _errors(request, exc)
        else:
            return redirect("declarations-set-detail", pk=row.pk)
    return render(request, "declarations/set_form.html", {"section": SECTION, "form": form})


@roles.console_view()
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration_set = get_object_or_404(DeclarationSet, pk=pk)
    members_form = forms.SetMembersForm(
        request.POST or None,
        initial={"declarations": list(declaration_set.declarations.values_list("pk", flat=True))},
    )
    if request.method == "POST" and members_form.is_valid():
        services.set_members(
            declaration_set,
            declarations=members_form.cleaned_data["declarations"],
            actor=request.user,
        )
        messages.success(request, "Members saved; the devices of the set are told.")
        return redirect("declarations-set-detail", pk=pk)
    channels = services.channels_of_sets([declaration_set])
    members = [
        {
            "declaration": d,
            "refused": [
                f"{v['platform']} {v['kind']} enrollments"
                + (" (user channel)" if v["scope"] == "user" else "")
                + f": {v['refused']}"
                for v in rules.verdicts(d.declaration_type)
                if v["refused"]
            ],
        }
        for d in declaration_set.declarations.all()
    ]
    return render(
        request,
        "declarations/set_detail.html",
        {
            "section": SECTION,
            "set": declaration_set,
            "members_form": members_form,
            "members": members,
            "assign_form": forms.SetAssignmentForm(),
            "assignments": declaration_set.assignments.select_related(
                "enrollment__device", "group"
            ),
            "channel_count": channels.count(),
        },
    )


@require_POST
@roles.console_view()
def set_assign(request: HttpRequest, pk: int) -> HttpResponse:
    declaration_set = get_object_or_404(DeclarationSet, pk=pk)
    form = forms.SetAssignmentForm(request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            messages.error(request, "; ".join(str(p) for p in problems))
        return redirect("declarations-set-detail", pk=pk)
    data = form.cleaned_data
    kind = (
        SetAssignment.Kind.ENROLLMENT
        if data["enrollment"]
        else SetAssignment.Kind.GROUP
        if data["group"]
        else SetAssignment.Kind.ENROLLMENT_TYPE
    )
    try:
        services.assign_set(
            declaration_set=declaration_set,
            kind=kind,
            enrollment=data["enrollment"],
            group=data["group"],
            enrollment_type=data["enrollment_type"],
            actor=request.user,
        )
    except services.DeclarationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Assigned; the devices concerned are told to synchronise.")
    return redirect("declarations-set-detail", pk=pk)


@require_POST
@roles.console_view()
def set_unassign(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignment = get_object_or_404(SetAssignment, pk=assignment_pk, declaration_set_id=pk)
    services.unassign_set(assignment, actor=request.user)
    messages.success(request, "Assignment removed; the devices concerned are told.")
    return redirect("declarations-set-detail", pk=pk)


@require_POST
@roles.console_view()
def set_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_set(get_object_or_404(DeclarationSet, pk=pk), actor=request.user)
    messages.success(request, "Set deleted; its devices are told.")
    return redirect("declarations-list")


@roles.console_view()
def device_status(request: HttpRequest, public_id: str) -> HttpResponse:
    enrollment = get_object_or_404(Enrollment.objects.select_related("device"), public_id=public_id)
    status = ChannelStatus.objects.filter(enrollment=enrollment).first()
    served = services.served(enrollment)
    return render(
        request,
        "declarations/device.html",
        {
            "section": SECTION,
            "enrollment": enrollment,
            "status": status,
            "stale": services.is_stale(status),
            "served": served.items,
            "withheld": sorted(served.withheld.items()),
            "states": DeclarationState.objects.filter(enrollment=enrollment),
            "apps": ManagedAppState.objects.filter(enrollment=enrollment),
            "sets": services.sets_for(enrollment),
        },
    )
