"""The helpdesk role sees no action it cannot perform: every console page it can reach, walked."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from devices import services as device_services
from devices.models import Command, Enrollment
from directory.models import DirectoryGroup, DirectoryUser, IdentitySource
from enrollment.models import EnrollmentConfiguration
from profiles import services as profile_services
from tests.devices._rows import bulk_devices

pytestmark = pytest.mark.django_db
MAX_PAGES = 400
# Links that end the session or download instead of showing a page.
SKIP = ("/console/logout/", "/console/devices/export.csv")


class _Actions(HTMLParser):
    """Links, POST form targets and htmx posts on one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.posts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.posts.append(a.get("action", ""))
        if a.get("hx-post"):
            self.posts.append(a["hx-post"])


def _seed(admin: User) -> set[str]:
    """Rows behind every kind of detail page; returns the paths the walk must reach."""
    bulk_devices(3)
    targets = list(Enrollment.objects.filter(enrollment_type="device"))
    device_services.enqueue_command(enrollments=targets, request_type="SecurityInfo")
    profile = profile_services.create_profile(
        identifier="com.ex.helpdesk",
        display_name="Helpdesk walk",
        actor=admin,
        payloads=[
            profile_services.PayloadInput("com.apple.mobiledevice.passwordpolicy", {"minLength": 8})
        ],
    )
    source = IdentitySource.objects.create(name="Local", kind="local")
    group = DirectoryGroup.objects.create(name="Sales")
    person = DirectoryUser.objects.create(source=source, external_id="1", username="sam")
    person.groups.add(group)
    # Primary keys come from the rows: on PostgreSQL, sequences go on across tests.
    command = Command.objects.latest("pk")
    configuration = EnrollmentConfiguration.objects.create(name="Staff", is_default=True)
    return {
        f"/console/devices/commands/{command.pk}/",
        f"/console/profiles/{profile.pk}/",
        f"/console/enrollment/configurations/{configuration.pk}/",
        f"/console/directory/sources/{source.pk}/",
        f"/console/directory/groups/{group.pk}/",
    }


def test_helpdesk_sees_no_action_it_cannot_perform(helpdesk_user: User, admin_user: User) -> None:
    details = _seed(admin_user)
    walker = Client()
    walker.force_login(helpdesk_user)
    seen: set[str] = set()
    todo = ["/console/"]
    refused_links: list[str] = []
    forbidden_posts: dict[str, str] = {}
    checked_posts: set[str] = set()
    while todo and len(seen) < MAX_PAGES:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = walker.get(url)
        if response.status_code == 403:
            refused_links.append(url)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Actions()
        page.feed(response.content.decode())
        for href in page.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            in_console = parts.path.startswith("/console/") and not parts.path.startswith(SKIP)
            if in_console and "after=" not in path and "before=" not in path:  # 1st page only
                todo.append(path)
        for action in page.posts:
            target = urlsplit(urljoin(url, action or url)).path
            if target in checked_posts or target.startswith(SKIP):
                continue
            checked_posts.add(target)
            # A fresh session per post: an allowed post (own password) must not end the walk.
            poster = Client()
            poster.force_login(helpdesk_user)
            if poster.post(target, {}).status_code == 403:
                forbidden_posts[target] = url
    reached = {u.split("?")[0] for u in seen}
    assert {
        "/console/devices/", "/console/devices/commands/", "/console/enrollment/",
        "/console/push/", "/console/settings/", "/console/audit/",
    } | details <= reached  # fmt: skip
    assert any(u.startswith("/console/devices/") and u.endswith("/?tab=commands") for u in seen)
    assert forbidden_posts == {}, "forms a helpdesk account cannot submit: " + repr(forbidden_posts)
    assert refused_links == [], "links that answer 403 for helpdesk: " + repr(refused_links)
