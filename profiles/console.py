"""Console pages for profiles: list, schema-generated editor, upload, UE report, assignment, status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from devices import capabilities
from devices.filters import DeviceFilterSet
from devices.models import Enrollment
from mdm_server import roles, untrusted
from mdm_server.pki.certificates import CertificateError
from profiles import builder, forms, key_groups, mobileconfig, schema, services
from profiles import ue_report as ue
from profiles.exceptions import ProfileError
from profiles.models import Assignment, Delivery, Profile

SECTION = "profiles"
_PATH_RE = re.compile(r"^payloads\[(\d+)\](?:\.([^.\[]+))?(.*)$")


@roles.console_view()
def profile_list(request: HttpRequest) -> HttpResponse:
    profiles = list(Profile.objects.annotate(assigned=Count("assignments", distinct=True)))
    status_counts: dict[int, dict[str, int]] = {}
    for row in Delivery.objects.values("profile_id", "status").annotate(n=Count("id")):
        status_counts.setdefault(row["profile_id"], {})[row["status"]] = row["n"]
    rows = [
        {
            "profile": p,
            "ue": {r.platform: r.outcome for r in services.ue_report(p)},
            "counts": status_counts.get(p.pk, {}),
        }
        for p in profiles
    ]
    return render(request, "profiles/list.html", {"section": SECTION, "rows": rows})


@roles.console_view()
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=pk)
    deliveries = Delivery.objects.filter(profile=profile).select_related("enrollment__device")
    counts = dict(deliveries.values_list("status").annotate(n=Count("id")).order_by())
    return render(
        request,
        "profiles/detail.html",
        {
            "section": SECTION,
            "profile": profile,
            "payloads": profile.payloads,
            "report": services.ue_report(profile),
            "mode_form": forms.UserEnrollmentModeForm(initial={"ue_mode": profile.ue_mode}),
            "assign_form": forms.AssignmentForm(),
            "picker": picker_context(query="", chosen=[]),
            "assignments": profile.assignments.select_related(
                "enrollment__device__directory_user", "group"
            ),
            "deliveries": deliveries.select_related("enrollment__device__directory_user").order_by(
                "-updated_at"
            )[:200],
            "counts": counts,
        },
    )


def _upload_page(request: HttpRequest, profile: Profile | None) -> HttpResponse:
    form = forms.UploadForm(initial={"ue_mode": profile.ue_mode} if profile else None)
    if request.method == "POST":
        form = forms.UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > mobileconfig.MAX_UPLOAD_BYTES:
                    raise ProfileError(
                        f"The file is {upload.size:,} bytes; profiles up to "
                        f"{mobileconfig.MAX_UPLOAD_BYTES:,} bytes are accepted."
                    )
                data, ue_mode = upload.read(), form.cleaned_data["ue_mode"]
                if profile is None:
                    saved = services.upload_profile(data=data, actor=request.user, ue_mode=ue_mode)
                else:
                    saved = services.update_profile(
                        profile, actor=request.user, data=data, ue_mode=ue_mode
                    )
            except ProfileError as exc:
                form.add_error("file", exc.message)
                for path, msgs in exc.fields.items():
                    form.add_error("file", f"{path}: {'; '.join(msgs)}")
            except CertificateError as exc:
                form.add_error("file", f"The profile could not be signed for delivery: {exc}")
            else:
                messages.success(
                    request, f"Profile {saved.display_name} saved (version {saved.version})."
                )
                for warning in saved.warnings:
                    messages.warning(request, warning)
                return redirect("profiles-detail", pk=saved.pk)
    return render(
        request, "profiles/upload.html", {"section": SECTION, "form": form, "profile": profile}
    )


@roles.console_view()
def profile_upload(request: HttpRequest) -> HttpResponse:
    return _upload_page(request, None)


@roles.console_view()
def profile_replace(request: HttpRequest, pk: int) -> HttpResponse:
    return _upload_page(request, get_object_or_404(Profile, pk=pk))


# --- the editor --------------------------------------------------------------------------------


@dataclass
class _EditorPayload:
    """One payload being edited: a stable token (its UUID), its type, identifier, and form."""

    uuid: str
    payload_type: str
    identifier: str
    form: forms.PayloadForm

    @property
    def title(self) -> str:
        spec = schema.payload_spec(self.payload_type)
        return spec.title if spec else self.payload_type

    @property
    def token(self) -> str:
        return f"{self.uuid}|{self.payload_type}|{self.identifier}"


def _payload_form(
    payload_type: str, uuid: str, data: Any = None, files: Any = None, existing: Any = None
) -> forms.PayloadForm:
    form_class = forms.payload_form_class(payload_type)
    content = {k: v for k, v in (existing or {}).items() if k not in schema.PROFILE_OWNED_KEYS}
    return form_class(data, files, prefix=f"p-{uuid}", existing=content)


def _existing_payloads(profile: Profile | None) -> dict[str, dict[str, Any]]:
    return {str(p.get("PayloadUUID", "")): p for p in (profile.payloads if profile else [])}


def _editor_state(request: HttpRequest, profile: Profile | None) -> list[_EditorPayload]:
    """The payloads on the page: from the stored profile (GET) or from the posted tokens."""
    existing = _existing_payloads(profile)
    if request.method != "POST":
        return [
            _EditorPayload(
                uuid=uuid,
                payload_type=str(p.get("PayloadType", "")),
                identifier=str(p.get("PayloadIdentifier", "")),
                form=_payload_form(str(p.get("PayloadType", "")), uuid, existing=p),
            )
            for uuid, p in existing.items()
        ]
    items = []
    for token in request.POST.getlist("payload"):
        parts = token.split("|", 2)
        if len(parts) != 3:
            continue
        uuid, payload_type, identifier = parts
        items.append(
            _EditorPayload(
                uuid=uuid,
                payload_type=payload_type,
                identifier=identifier,
                form=_payload_form(
                    payload_type, uuid, request.POST, request.FILES, existing.get(uuid)
                ),
            )
        )
    return items


def _field_for_path(form: forms.PayloadForm, rest: str) -> tuple[str | None, str]:
    """The form field a schema path ("PayloadContent.Keysize", "Dock[0].Type") belongs to, and
    the part of the path below that field."""
    best: str | None = None
    for name in form.fields:
        if (rest == name or rest.startswith((name + ".", name + "["))) and (
            best is None or len(name) > len(best)
        ):
            best = name
    if best is None:
        return None, rest
    return best, rest[len(best) :].lstrip(".")


def _apply_errors(
    exc: ProfileError, meta: forms.ProfileMetaForm, items: list[_EditorPayload]
) -> list[str]:
    """Put service errors on the right form fields; returns errors that belong to no field."""
    loose: list[str] = []
    for path, msgs in exc.fields.items():
        match = _PATH_RE.match(path)
        if path in meta.fields:
            for msg in msgs:
                meta.add_error(path, msg)
        elif match and int(match.group(1)) < len(items):
            item = items[int(match.group(1))]
            rest = (match.group(2) or "") + match.group(3)
            name, below = _field_for_path(item.form, rest)
            for msg in msgs:
                if name is not None:
                    item.form.add_error(name, f"{below}: {msg}" if below else msg)
                else:
                    loose.append(f"{item.title}: {rest} {msg}".strip())
        else:
            loose += [f"{path}: {msg}" for msg in msgs]
    if not exc.fields:
        loose.append(exc.message)
    return loose


def _valid_inputs(
    meta: forms.ProfileMetaForm, items: list[_EditorPayload]
) -> list[services.PayloadInput] | None:
    """The payloads as service input once every form on the page is valid (else None)."""
    valid = meta.is_valid()
    valid = all([item.form.is_valid() for item in items]) and valid
    if not valid:
        return None
    return [
        services.PayloadInput(
            payload_type=item.payload_type,
            content=item.form.to_content(),
            identifier=item.identifier,
            uuid=item.uuid,
        )
        for item in items
    ]


def _check(
    profile: Profile | None, meta: forms.ProfileMetaForm, items: list[_EditorPayload]
) -> tuple[list[ue.PlatformReport] | None, list[str]]:
    """The UE report of the page as it is now, without saving anything."""
    inputs = _valid_inputs(meta, items)
    if inputs is None:
        return None, []
    values = meta.cleaned_data
    try:
        built = services.build_profile_dict(
            identifier=values["identifier"],
            display_name=values["display_name"],
            payloads=inputs,
            scope=values["scope"],
            # Kept on save (set through the API or an upload): the report must judge it too.
            removal_disallowed=profile.removal_disallowed if profile is not None else None,
            unknown_keys_are_errors=profile is None or profile.source == Profile.Source.BUILT,
        )
    except ProfileError as exc:
        return None, _apply_errors(exc, meta, items)
    top_level = {key: value for key, value in built.items() if key != "PayloadContent"}
    return ue.build_report(built["PayloadContent"], scope=values["scope"], top_level=top_level), []


def _save(
    request: HttpRequest,
    profile: Profile | None,
    meta: forms.ProfileMetaForm,
    items: list[_EditorPayload],
) -> Profile | list[str]:
    """Validate the page and call the service; the saved profile, or errors for no field."""
    inputs = _valid_inputs(meta, items)
    if inputs is None:
        return []
    values = meta.cleaned_data
    try:
        if profile is None:
            return services.create_profile(
                identifier=values["identifier"],
                display_name=values["display_name"],
                description=values["description"],
                organization=values["organization"],
                scope=values["scope"],
                ue_mode=values["ue_mode"],
                payloads=inputs,
                actor=request.user,
            )
        return services.update_profile(
            profile,
            actor=request.user,
            display_name=values["display_name"],
            description=values["description"],
            organization=values["organization"],
            scope=values["scope"],
            ue_mode=values["ue_mode"],
            payloads=inputs,
        )
    except ProfileError as exc:
        return _apply_errors(exc, meta, items)
    except CertificateError as exc:
        return [f"The profile could not be signed for delivery: {exc}"]


@dataclass
class _KeyRow:
    """One key of a payload in the editor, with what a personal device would do with it."""

    name: str
    field: Any  # BoundField
    ue: dict[str, str]  # platform -> why it won't apply on a User Enrollment there
    show_errors: bool = True

    @property
    def errors(self) -> Any:
        return self.field.errors if self.show_errors else ""

    @property
    def ue_platforms(self) -> str:
        return " or ".join(_PERSONAL[p] for p in self.ue)

    @property
    def ue_text(self) -> str:
        return " · ".join(f"{p}: {why}" for p, why in self.ue.items())

    @property
    def has_value(self) -> bool:
        return self.field.value() not in (None, "", [])


@dataclass
class _KeyGroup:
    title: str
    rows: list[_KeyRow]
    open: bool

    @property
    def set_count(self) -> int:
        return sum(1 for r in self.rows if r.has_value)


@dataclass
class _Layout:
    groups: list[_KeyGroup]
    payload_notes: dict[str, str]  # platform -> why the whole payload won't apply on UE
    show_errors: bool = True


_PERSONAL = {"iOS": "personal iPhone/iPad", "macOS": "personal Mac"}
# A payload with this many keys or fewer shows them all at once; larger ones open only the
# groups that hold a value or an error.
_OPEN_ALL_BELOW = 25


def _editor_layout(item: _EditorPayload, scope: str, *, show_errors: bool = True) -> _Layout:
    """The payload's keys in groups (profiles.key_groups), each marked with what a User
    Enrollment would do with it (devices.capabilities, from Apple's schema), before saving."""
    form = item.form
    names = list(form.fields)
    payload_notes: dict[str, str] = {}
    key_notes: dict[str, dict[str, str]] = {}
    for platform in ue.UE_PLATFORMS:
        whole, notes = capabilities.payload_key_notes(
            item.payload_type, names, ue.ue_target(platform, scope)
        )
        if whole:
            payload_notes[str(platform)] = whole
        for name, why in notes.items():
            key_notes.setdefault(name, {})[str(platform)] = why
    rows = {n: _KeyRow(n, form[n], key_notes.get(n, {}), show_errors) for n in names}
    nodes = getattr(form, "nodes", {})
    fields = [
        key_groups.Field(
            n,
            required=(nodes[n][1].get("presence") == "required") if n in nodes else False,
            kind=str(nodes[n][1].get("type", "string")) if n in nodes else "string",
        )
        for n in names
    ]
    spec = schema.payload_spec(item.payload_type)
    sections = {str(k["key"]): str(k.get("title") or k["key"]) for k in (spec.keys if spec else ())}
    grouped = key_groups.group_keys(item.payload_type, fields, sections=sections)
    small = len(names) <= _OPEN_ALL_BELOW
    groups = []
    for title, members in grouped:
        member_rows = [rows[n] for n in members]
        busy = any(r.has_value or r.errors for r in member_rows)
        opened = small or busy or title == key_groups.REQUIRED
        groups.append(_KeyGroup(title, member_rows, open=opened))
    return _Layout(groups, payload_notes, show_errors)


def _editor(request: HttpRequest, profile: Profile | None) -> HttpResponse:
    items = _editor_state(request, profile)
    initial = (
        {
            "identifier": profile.identifier,
            "display_name": profile.display_name,
            "description": profile.description,
            "organization": profile.organization,
            "scope": profile.scope,
            "ue_mode": profile.ue_mode,
        }
        if profile
        else {"scope": Profile.Scope.DEVICE, "ue_mode": Profile.UserEnrollmentMode.SKIP}
    )
    if request.method == "POST":
        # The identifier of a stored profile never changes (a disabled field keeps `initial`).
        meta = forms.ProfileMetaForm(request.POST, initial=initial)
    else:
        meta = forms.ProfileMetaForm(initial=initial)
    if profile is not None:
        meta.fields["identifier"].disabled = True
    errors: list[str] = []
    # The report of the saved profile, replaced by the page's own when the admin asks for it.
    report = services.ue_report(profile) if profile is not None else None
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "add":
        payload_type = request.POST.get("add_type", "")
        if schema.payload_spec(payload_type) is None:
            return HttpResponseBadRequest("Unknown payload type.")
        uuid = builder.new_uuid()
        identifier = f"{request.POST.get('identifier') or 'profile'}.{payload_type}.{uuid[:8]}"
        items.append(
            _EditorPayload(uuid, payload_type, identifier, _payload_form(payload_type, uuid))
        )
    elif request.method == "POST" and action.startswith("remove:"):
        items = [item for item in items if item.uuid != action.removeprefix("remove:")]
    # Only a check or a save shows errors: after adding or removing a payload, what was typed
    # stays, without "this field is required" under every key not filled in yet.
    checked = request.method == "POST" and action in ("check", "save")
    if request.method == "POST" and not checked:
        typed = {n: request.POST[n] for n in meta.fields if n in request.POST}
        if profile is not None:
            typed.pop("identifier", None)
        meta = forms.ProfileMetaForm(initial={**initial, **typed})
        if profile is not None:
            meta.fields["identifier"].disabled = True
    elif request.method == "POST" and action == "check":
        report, errors = _check(profile, meta, items)
    elif request.method == "POST" and action == "save":
        result = _save(request, profile, meta, items)
        if isinstance(result, Profile):
            messages.success(
                request, f"Profile {result.display_name} saved (version {result.version})."
            )
            return redirect("profiles-detail", pk=result.pk)
        errors = result
    scope = str(meta["scope"].value() or Profile.Scope.DEVICE)
    return render(
        request,
        "profiles/editor.html",
        {
            "section": SECTION,
            "profile": profile,
            "meta": meta,
            "items": [(item, _editor_layout(item, scope, show_errors=checked)) for item in items],
            "errors": errors,
            "catalogue": schema.catalogue(),
            "report": report,
        },
    )


@roles.console_view()
def profile_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@roles.console_view()
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, get_object_or_404(Profile, pk=pk))


# --- actions -----------------------------------------------------------------------------------


@require_POST
@roles.console_view()
def profile_ue_mode(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=pk)
    form = forms.UserEnrollmentModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how the profile treats User-Enrollment devices.")
        return redirect("profiles-detail", pk=pk)
    try:
        services.update_profile(profile, actor=request.user, ue_mode=form.cleaned_data["ue_mode"])
    except (ProfileError, CertificateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "User-Enrollment choice saved.")
    return redirect("profiles-detail", pk=pk)


PICKER_RESULTS = 25


@roles.console_view(admin=True)
def device_picker(request: HttpRequest, pk: int) -> HttpResponse:
    """The assignment form's device search (htmx fragment): the devices already ticked, then
    up to PICKER_RESULTS enrolled devices matching the search, by name."""
    get_object_or_404(Profile, pk=pk)
    return render(
        request,
        "profiles/_device_picker.html",
        picker_context(query=request.GET.get("q", ""), chosen=request.GET.getlist("enrollments")),
    )


def picker_context(*, query: str, chosen: list[str]) -> dict[str, Any]:
    enrolled = Enrollment.objects.filter(status=Enrollment.Status.ENROLLED).select_related(
        "device__directory_user"
    )
    chosen_ids = [n for c in chosen if (n := untrusted.natural(c)) is not None][:500]
    ticked = list(enrolled.filter(pk__in=chosen_ids).order_by("-pk"))
    matches: list[Enrollment] = []
    query = query.strip()[:200]
    if query:
        filterset = DeviceFilterSet({"q": query}, queryset=enrolled)
        if filterset.is_valid():
            found = filterset.qs.exclude(pk__in=chosen_ids).order_by("-pk")
            matches = list(found[: PICKER_RESULTS + 1])
    return {
        "query": query,
        "ticked": ticked,
        "matches": matches[:PICKER_RESULTS],
        "more": len(matches) > PICKER_RESULTS,
        "limit": PICKER_RESULTS,
    }


@require_POST
@roles.console_view()
def profile_assign(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=pk)
    form = forms.AssignmentForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, "; ".join(str(e) for e in error))
        return redirect("profiles-detail", pk=pk)
    try:
        outcome = services.assign_profile(
            profile=profile,
            actor=request.user,
            enrollments=form.cleaned_data["enrollments"],
            groups=form.cleaned_data["groups"],
            enrollment_types=form.cleaned_data["enrollment_types"],
        )
    except (ProfileError, CertificateError) as exc:
        messages.error(request, str(exc))
        return redirect("profiles-detail", pk=pk)
    installed = outcome.installed
    messages.success(request, f"Assigned: install queued on {len(installed.queued)} device(s).")
    if installed.skipped:
        messages.warning(
            request,
            f"Not installed on {len(installed.skipped)} device(s); see the status table for why.",
        )
    return redirect("profiles-detail", pk=pk)


@require_POST
@roles.console_view()
def assignment_delete(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment, pk=assignment_pk, profile_id=pk)
    try:
        outcome = services.unassign_profile(assignment=assignment, actor=request.user)
    except CertificateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Assignment removed; RemoveProfile queued on {len(outcome.removed)} device(s).",
        )
    return redirect("profiles-detail", pk=pk)


@require_POST
@roles.console_view()
def profile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=pk)
    name = profile.display_name
    removed = services.delete_profile(profile, actor=request.user)
    messages.success(request, f"Profile {name} deleted; removal queued on {removed} device(s).")
    return redirect("profiles-list")


@roles.console_view()
def profile_download(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(Profile, pk=pk)
    try:
        data = services.signed_profile(profile)
    except CertificateError as exc:
        messages.error(request, str(exc))
        return redirect("profiles-detail", pk=pk)
    response = HttpResponse(data, content_type="application/x-apple-aspen-config")
    response["Content-Disposition"] = f'attachment; filename="{profile.pk}.mobileconfig"'
    return response
