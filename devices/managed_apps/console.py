"""Console pages of managed apps under /console/apps/: locations, catalogue, assignments."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from devices.managed_apps import forms, selectors, services, tasks
from devices.managed_apps.models import App, AppAssignment, AppInstall, AppsBooksToken
from devices.models import Enrollment
from directory.models import DirectoryGroup
from mdm_server import roles


def _home(
    request: HttpRequest,
    *,
    location_form: forms.LocationForm | None = None,
    custom_form: forms.CustomAppForm | None = None,
    status: int = 200,
) -> HttpResponse:
    apps = list(App.objects.select_related("token").order_by("name", "pk"))
    counts = {app.pk: services.status_counts(app) for app in apps}
    context = {
        "section": "apps",
        "locations": [(t, services.token_warning(t)) for t in AppsBooksToken.objects.all()],
        "apps": [(app, counts[app.pk]) for app in apps],
        "location_form": location_form or forms.LocationForm(),
        "custom_form": custom_form or forms.CustomAppForm(),
    }
    return render(request, "managed_apps/apps.html", context, status=status)


@roles.console_view()
def apps_home(request: HttpRequest) -> HttpResponse:
    return _home(request)


@require_POST
@roles.console_view()
def upload_location(request: HttpRequest) -> HttpResponse:
    form = forms.LocationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            token = services.upload_token(
                name=form.cleaned_data["name"], data=form.cleaned_data["token"], actor=request.user
            )
        except services.ManagedAppsError as exc:
            form.add_error("token", str(exc))
        else:
            messages.success(
                request,
                f"Location {token.name} ({token.org_name}) until {token.expires_at:%Y-%m-%d}.",
            )
            return redirect("apps-home")
    return _home(request, location_form=form, status=400)


@require_POST
@roles.console_view()
def sync_location(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(AppsBooksToken, pk=pk)
    try:
        result = services.sync_token(token=token)
    except services.ManagedAppsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{result.created} new, {result.updated} updated.")
        if result.licences_lost:
            messages.warning(
                request,
                f"{result.licences_lost} install(s) lost their licence at Apple (revoked or "
                "reassigned elsewhere): assigning them again.",
            )
        if result.conflict:
            messages.warning(request, result.conflict)
    return redirect("apps-home")


@require_POST
@roles.console_view()
def add_custom_app(request: HttpRequest) -> HttpResponse:
    form = forms.CustomAppForm(request.POST)
    if form.is_valid():
        try:
            app = services.add_custom_app(**form.cleaned_data, actor=request.user)
        except services.ManagedAppsError as exc:
            form.add_error("manifest_url", str(exc))
        else:
            return redirect("apps-detail", pk=app.pk)
    return _home(request, custom_form=form, status=400)


def _detail(
    request: HttpRequest, app: App, *, form: forms.AssignForm | None = None, status: int = 200
) -> HttpResponse:
    installs = (
        AppInstall.objects.filter(app=app)
        .select_related("enrollment__device")
        .order_by("enrollment_id")
    )
    context: dict[str, Any] = {
        "section": "apps",
        "app": app,
        "assignments": AppAssignment.objects.filter(app=app).select_related(
            "enrollment__device", "group"
        ),
        "installs": installs[:500],
        "counts": services.status_counts(app),
        "form": form or forms.AssignForm(),
    }
    return render(request, "managed_apps/app.html", context, status=status)


@roles.console_view()
def app_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(App, pk=pk))


@require_POST
@roles.console_view()
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(App, pk=pk)
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        return _detail(request, app, form=form, status=400)
    data = dict(form.cleaned_data)
    target: dict[str, Any] = {}
    device, group = data.pop("device"), data.pop("group")
    if data["scope"] == AppAssignment.Scope.DEVICE:
        target["enrollment"] = Enrollment.objects.filter(
            public_id=device, channel=Enrollment.Channel.DEVICE
        ).first()
        if target["enrollment"] is None:
            form.add_error("device", "No such device.")
    elif data["scope"] == AppAssignment.Scope.GROUP:
        target["group"] = DirectoryGroup.objects.filter(pk=group).first()
        if target["group"] is None:
            form.add_error("group", "No such group.")
    if form.errors:
        return _detail(request, app, form=form, status=400)
    try:
        result = services.assign_app(app=app, actor=request.user, **data, **target)
    except services.ManagedAppsError as exc:
        form.add_error(None, str(exc))
        return _detail(request, app, form=form, status=400)
    transaction.on_commit(tasks.advance_installs.delay)
    messages.success(request, f"Assigned; {result.requested} device(s) will get it.")
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect("apps-detail", pk=app.pk)


@require_POST
@roles.console_view()
def unassign(request: HttpRequest, pk: int, assignment: str) -> HttpResponse:
    row = get_object_or_404(AppAssignment, app=pk, public_id=assignment)
    removed = services.unassign(assignment=row, actor=request.user)
    messages.success(request, f"Unassigned; removed from {removed} device(s).")
    return redirect("apps-detail", pk=pk)


@roles.console_view()
def install_on_device(
    request: HttpRequest, assignment: uuid.UUID, device: uuid.UUID
) -> HttpResponse:
    """Install an available app on one device: GET asks to confirm (with what will not apply
    there and why), POST requests the install (audited) and returns to the device page."""
    row = get_object_or_404(
        AppAssignment.objects.select_related("app"),
        public_id=assignment,
        mode=AppAssignment.Mode.AVAILABLE,
    )
    enrollment = get_object_or_404(Enrollment, public_id=device, channel=Enrollment.Channel.DEVICE)
    offer = next(
        (a for a in selectors.available_for_device(enrollment) if a.assignment.pk == row.pk),
        None,
    )
    context: dict[str, Any] = {
        "section": "devices",
        "assignment": row,
        "device": enrollment,
        "offer": offer,
    }
    if offer is None:
        context["error"] = (
            f"{row.app.name} is not available to this device (not assigned to it, not for its "
            "platform, already installed or on its way, or the device is not enrolled)."
        )
        return render(request, "managed_apps/install.html", context, status=400)
    if request.method != "POST":
        return render(request, "managed_apps/install.html", context)
    if offer.refused:
        context["error"] = f"It cannot be installed on this device: {offer.refused}"
        return render(request, "managed_apps/install.html", context, status=400)
    try:
        services.request_install(enrollment=enrollment, assignment=row, actor=request.user)
    except services.ManagedAppsError as exc:
        context["error"] = str(exc)
        return render(request, "managed_apps/install.html", context, status=400)
    transaction.on_commit(tasks.advance_installs.delay)
    messages.success(request, f"{row.app.name} will be installed on {enrollment.display_name}.")
    return redirect("devices-detail", enrollment.public_id)


@roles.console_view()
def app_icon(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(App.objects.only("icon", "icon_type"), pk=pk, icon__isnull=False)
    response = HttpResponse(bytes(app.icon or b""), content_type=app.icon_type or "image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
