"""Console pages for the directory: sources, users, groups, Managed Apple ID domains, imports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from directory import auth, forms, services
from directory.models import (
    DirectoryGroup,
    DirectoryUser,
    IdentitySource,
    ImportRun,
    ManagedAppleIdDomain,
)
from mdm_server import audit, roles, untrusted


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("section", "directory")
    return render(request, f"directory/{template}", context, status=status)


@roles.console_view()
def overview(request: HttpRequest) -> HttpResponse:
    sources = IdentitySource.objects.annotate(user_count=Count("users"))
    return _render(
        request,
        "overview.html",
        {
            "sources": sources,
            "runs": ImportRun.objects.select_related("source")[:10],
            "user_count": DirectoryUser.objects.count(),
            "group_count": DirectoryGroup.objects.count(),
            "domains": services.managed_apple_id_domains(),
        },
    )


# --- sources -----------------------------------------------------------------------------------


def _source_form_page(
    request: HttpRequest, source: IdentitySource | None, kind: str
) -> HttpResponse:
    instance = source or IdentitySource(kind=kind)
    form = forms.SourceForm(request.POST or None, instance=instance, kind=kind)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.save_source(
                    source=source, data={**form.changes(), "kind": kind}, actor=request.user
                )
            except services.SourceInvalid as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except services.DirectoryError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{saved.name} saved.")
                return redirect("directory-source", pk=saved.pk)
        status = 400
    return _render(
        request,
        "source_form.html",
        {
            "form": form,
            "source": source,
            "kind": kind,
            "kind_label": dict(IdentitySource.Kind.choices)[kind],
        },
        status=status,
    )


@roles.console_view(admin=True)
def source_create(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "ldap")
    if kind not in IdentitySource.Kind.values:
        raise Http404("Unknown source kind.")
    if kind == "local" and services.local_source_exists():
        return redirect("directory-source", pk=services.local_source().pk)
    return _source_form_page(request, None, kind)


@roles.console_view()
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(IdentitySource, pk=pk)
    if request.method == "POST":
        return _source_form_page(request, source, source.kind)
    context = {
        "source": source,
        "form": forms.SourceForm(instance=source, kind=source.kind)
        if roles.is_admin(request.user)
        else None,
        "runs": source.runs.all()[:10],
        "user_count": source.users.count(),
        "kind": source.kind,
    }
    return _render(request, "source_detail.html", context)


@require_POST
@roles.console_view(admin=True)
def source_test(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(IdentitySource, pk=pk)
    try:
        messages.success(request, services.test_source(source=source))
    except services.DirectoryError as exc:
        messages.error(request, exc.message)
    return redirect("directory-source", pk=pk)


@require_POST
@roles.console_view(admin=True)
def source_sync(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(IdentitySource, pk=pk)
    try:
        run = services.start_sync(source=source, actor=request.user)
    except services.RunInProgress as exc:
        messages.info(request, exc.message)
        return redirect("directory-run", pk=exc.run_id)
    except services.DirectoryError as exc:
        messages.error(request, exc.message)
        return redirect("directory-source", pk=pk)
    return redirect("directory-run", pk=run.pk)


@require_POST
@roles.console_view(admin=True)
def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(IdentitySource, pk=pk)
    try:
        services.delete_source(source=source, actor=request.user)
    except services.DirectoryError as exc:
        messages.error(request, exc.message)
        return redirect("directory-source", pk=pk)
    messages.success(request, f"{source.name} deleted.")
    return redirect("directory-overview")


@roles.console_view(admin=True)
def source_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite Users from LDAP / Entra ID: search, tick users, groups or OUs, add them."""
    source = get_object_or_404(IdentitySource, pk=pk)
    if source.kind == IdentitySource.Kind.LOCAL:
        raise Http404("Local users are added by hand.")
    query = request.GET.get("q", "").strip()
    hits: list[services.SearchHit] = []
    error = ""
    status = 200
    if request.method == "POST":
        selection = []
        for value in request.POST.getlist("pick"):
            kind, _, ident = value.partition(":")
            selection.append(
                {"type": kind, "id": ident, "name": request.POST.get(f"name:{value}", ident)}
            )
        if request.POST.get("all") == "1":
            selection.append({"type": "all", "id": "", "name": "All users"})
        try:
            run = services.start_import(source=source, selection=selection, actor=request.user)
        except services.DirectoryError as exc:
            error = exc.message
            status = 400
        else:
            return redirect("directory-run", pk=run.pk)
    elif query:
        try:
            hits = services.search_directory(source=source, query=query)
        except services.DirectoryError as exc:
            error = exc.message
            status = 400
    return _render(
        request,
        "import.html",
        {"source": source, "query": query, "hits": hits, "error": error, "searched": bool(query)},
        status=status,
    )


@roles.console_view()
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("source"), pk=pk)
    return _render(request, "run.html", {"run": run})


@roles.console_view()
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls every second while the run is not finished."""
    run = get_object_or_404(ImportRun.objects.select_related("source"), pk=pk)
    return _render(request, "_run_progress.html", {"run": run})


# --- users -------------------------------------------------------------------------------------


@roles.console_view()
def user_list(request: HttpRequest) -> HttpResponse:
    users = DirectoryUser.objects.select_related("source").order_by("username")
    filters = forms.UserFilterForm(request.GET)
    if not filters.is_valid():
        users = users.none()
        values: dict[str, Any] = {}
    else:
        values = filters.cleaned_data
    if q := values.get("q"):
        users = users.filter(
            Q(username__icontains=q) | Q(email__icontains=q) | Q(display_name__icontains=q)
        )
    if values.get("source") is not None:
        users = users.filter(source_id=values["source"])
    if state := values.get("state"):
        users = users.filter(enabled=state == "enabled")
    if values.get("problem"):
        users = users.exclude(managed_apple_id_problem="")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "user_list.html",
        {
            "page": page,
            "filters": filters,
            "q": values.get("q", ""),
            "source": "" if values.get("source") is None else str(values["source"]),
            "state": values.get("state", ""),
            "sources": IdentitySource.objects.all(),
        },
        status=200 if filters.is_valid() else 400,
    )


@roles.console_view(admin=True)
def user_create(request: HttpRequest) -> HttpResponse:
    form = forms.LocalUserForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.create_local_user(
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    display_name=data["display_name"],
                    groups=data["groups"],
                    actor=request.user,
                )
            except services.DirectoryError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{user.username} added.")
                return redirect("directory-user", pk=user.pk)
        status = 400
    return _render(request, "user_form.html", {"form": form}, status=status)


@roles.console_view()
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(DirectoryUser.objects.select_related("source"), pk=pk)
    form = forms.UserEditForm(
        request.POST or None,
        initial={"enabled": user.enabled, "groups": user.groups.filter(kind="static")},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not data.get("password"):
                data.pop("password", None)
            try:
                services.update_user(user=user, data=data, actor=request.user)
            except services.DirectoryError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{user.username} saved.")
                return redirect("directory-user", pk=user.pk)
        status = 400
    context = {
        "u": user,
        "form": form,
        "is_local": user.source.kind == IdentitySource.Kind.LOCAL,
        "settings": services.enrollment_settings_for(user),
        "groups": user.groups.all(),
        "invitations": user.invitations.all()[:10],
        # GDPR: the full Managed Apple ID only for administrators, masked for everyone else.
        "show_apple_id": roles.is_admin(request.user),
    }
    return _render(request, "user_detail.html", context, status=status)


@require_POST
@roles.console_view(admin=True)
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(DirectoryUser, pk=pk)
    try:
        services.create_invitation(user=user, actor=request.user, base_url=settings.PUBLIC_URL)
    except services.DirectoryError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invitation sent to {user.email}.")
    return redirect("directory-user", pk=pk)


@require_POST
@roles.console_view(admin=True)
def user_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(DirectoryUser, pk=pk)
    problem = services.recompute_managed_apple_id(user=user, actor=request.user)
    if problem:
        messages.warning(request, f"No Managed Apple ID assigned: {problem}")
    else:
        messages.success(request, "Managed Apple ID updated.")
    return redirect("directory-user", pk=pk)


# --- groups ------------------------------------------------------------------------------------


@roles.console_view()
def group_list(request: HttpRequest) -> HttpResponse:
    groups = DirectoryGroup.objects.select_related("source").annotate(member_count=Count("members"))
    form = forms.GroupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = services.save_group(
                    group=None,
                    name=data["name"],
                    apple_enrollment_type=data["apple_enrollment_type"],
                    default_ownership=data["default_ownership"],
                    priority=data["priority"],
                    actor=request.user,
                )
            except services.DirectoryError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Group {group.name} created.")
                return redirect("directory-group", pk=group.pk)
        status = 400
    return _render(request, "group_list.html", {"groups": groups, "form": form}, status=status)


@roles.console_view()
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(DirectoryGroup.objects.select_related("source"), pk=pk)
    form = forms.GroupForm(request.POST or None, instance=group)
    members_form = forms.GroupMembersForm(initial={"users": group.members.all()})
    status = 200
    if request.method == "POST" and request.POST.get("action") == "members":
        members_form = forms.GroupMembersForm(request.POST)
        if members_form.is_valid():
            try:
                services.set_group_members(
                    group=group, users=members_form.cleaned_data["users"], actor=request.user
                )
            except services.DirectoryError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Members saved.")
            return redirect("directory-group", pk=pk)
        status = 400
    elif request.method == "POST" and request.POST.get("action") == "delete":
        services.delete_group(group=group, actor=request.user)
        messages.success(request, f"Group {group.name} deleted.")
        return redirect("directory-groups")
    elif request.method == "POST":
        name_before = group.name
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_group(
                    group=group,
                    name=data.get("name") or name_before,
                    apple_enrollment_type=data["apple_enrollment_type"],
                    default_ownership=data["default_ownership"],
                    priority=data["priority"],
                    actor=request.user,
                )
            except services.DirectoryError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Enrollment settings saved.")
                return redirect("directory-group", pk=pk)
        status = 400
    return _render(
        request,
        "group_detail.html",
        {
            "group": group,
            "form": form,
            "members_form": members_form,
            "members": group.members.select_related("source")[:500],
        },
        status=status,
    )


# --- Managed Apple ID domains ------------------------------------------------------------------


@roles.console_view()
def domain_list(request: HttpRequest) -> HttpResponse:
    form = forms.DomainForm(request.POST or None)
    status = 200
    if request.method == "POST" and request.POST.get("remove"):
        remove = untrusted.natural(request.POST["remove"])
        if remove is None:
            raise Http404("No such domain.")
        domain = get_object_or_404(ManagedAppleIdDomain, pk=remove)
        services.remove_managed_apple_id_domain(domain=domain, actor=request.user)
        messages.success(request, f"{domain.domain} removed.")
        return redirect("directory-domains")
    if request.method == "POST":
        if form.is_valid():
            try:
                row = services.add_managed_apple_id_domain(
                    domain=form.cleaned_data["domain"], actor=request.user
                )
            except services.DirectoryError as exc:
                form.add_error("domain", exc.message)
            else:
                messages.success(request, f"{row.domain} added.")
                return redirect("directory-domains")
        status = 400
    return _render(
        request,
        "domains.html",
        {"domains": ManagedAppleIdDomain.objects.all(), "form": form},
        status=status,
    )


# --- sign-in test (checks a source end to end, as enrollment will use it) ----------------------

ENTRA_TEST_SESSION_KEY = "directory_entra_test"


def _sign_in_result(request: HttpRequest, source: IdentitySource, user: DirectoryUser) -> None:
    settings_ = services.enrollment_settings_for(user)
    messages.success(
        request,
        f"Signed in as {user.username} ({user.display_name or 'no display name'}); "
        f"Managed Apple ID: {user.managed_apple_id or 'none'}; enrollment: "
        f"{settings_.apple_enrollment_type}, {settings_.default_ownership}.",
    )
    audit.record(
        actor=request.user, action="directory.sign_in_tested", target=source,
        details={"user": user.username},
    )  # fmt: skip


@roles.console_view(admin=True)
def source_test_sign_in(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(IdentitySource, pk=pk)
    status = 200
    if request.method == "POST" and source.kind == IdentitySource.Kind.ENTRA:
        try:
            url, flow = auth.begin_entra_sign_in(
                source=source,
                redirect_uri=request.build_absolute_uri(reverse("directory-entra-callback")),
                login_hint=request.POST.get("identifier", "").strip(),
            )
        except auth.AuthenticationFailed as exc:
            messages.error(request, f"{exc.code}: {exc.message}")
            status = 400
        else:
            request.session[ENTRA_TEST_SESSION_KEY] = {"source": source.pk, "flow": flow}
            return redirect(url)
    elif request.method == "POST":
        try:
            user = auth.authenticate_password(
                identifier=request.POST.get("identifier", ""),
                password=request.POST.get("password", ""),
                source=source,
            )
        except auth.AuthenticationFailed as exc:
            messages.error(request, f"{exc.code}: {exc.message}")
            status = 400
        else:
            _sign_in_result(request, source, user)
            return redirect("directory-source-test-sign-in", pk=pk)
    return _render(request, "test_sign_in.html", {"source": source}, status=status)


@roles.console_view(admin=True)
def entra_callback(request: HttpRequest) -> HttpResponse:
    """Redirect URI for the console's Entra ID sign-in test (register it in the app)."""
    state = request.session.pop(ENTRA_TEST_SESSION_KEY, None)
    if not state:
        messages.error(request, "No Microsoft sign-in was started from this browser session.")
        return redirect("directory-overview")
    source = get_object_or_404(IdentitySource, pk=state["source"])
    try:
        user = auth.finish_entra_sign_in(
            source=source, flow=state["flow"], params=request.GET.dict()
        )
    except auth.AuthenticationFailed as exc:
        messages.error(request, f"{exc.code}: {exc.message}")
    else:
        _sign_in_result(request, source, user)
    return redirect("directory-source-test-sign-in", pk=source.pk)
