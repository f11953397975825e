import pytest

from devices.models import Enrollment, QueuedCommand
from directory.models import DirectoryGroup, DirectoryUser, IdentitySource
from profiles import services
from profiles.models import Delivery
from tests.profiles.conftest import make_enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: None) -> dict:
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    alice = DirectoryUser.objects.create(source=source, external_id="a", username="alice")
    bob = DirectoryUser.objects.create(source=source, external_id="b", username="bob")
    staff = DirectoryGroup.objects.create(name="staff")
    alice.groups.add(staff)
    return {"alice": alice, "bob": bob, "staff": staff}


def _profile(actor):
    return services.create_profile(
        identifier="com.ex.group",
        display_name="Group profile",
        actor=actor,
        payloads=[
            services.PayloadInput("com.apple.webClip.managed", {"URL": "https://a", "Label": "A"})
        ],
    )


def test_group_assignment_installs_on_members_only(server_pki, admin_user, people) -> None:
    alice_phone = make_enrollment(directory_user=people["alice"])
    bob_phone = make_enrollment(directory_user=people["bob"])
    profile = _profile(admin_user)
    outcome = services.assign_profile(profile=profile, actor=admin_user, groups=[people["staff"]])
    assert outcome.installed.queued == [alice_phone.pk]
    assert not Delivery.objects.filter(enrollment=bob_phone).exists()


def test_group_change_installs_and_removes(
    server_pki, admin_user, people, django_capture_on_commit_callbacks
) -> None:
    bob_phone = make_enrollment(directory_user=people["bob"])
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, groups=[people["staff"]])
    with django_capture_on_commit_callbacks(execute=True):
        people["bob"].groups.add(people["staff"])
    assert Delivery.objects.get(enrollment=bob_phone).status == Delivery.Status.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        people["staff"].members.remove(people["bob"])  # the reverse side of the relation
    assert Delivery.objects.get(enrollment=bob_phone).status == Delivery.Status.REMOVING
    assert QueuedCommand.objects.filter(
        enrollment=bob_phone, command__request_type="RemoveProfile"
    ).exists()


@pytest.mark.parametrize("side", ["group", "person"])
def test_clearing_a_membership_removes_the_group_profiles(
    server_pki, admin_user, people, django_capture_on_commit_callbacks, side
) -> None:
    """A clear() deletes the memberships before `post_clear`, which no longer names them: the
    members are read at `pre_clear` and synced once the clear commits, from either side."""
    alice_phone = make_enrollment(directory_user=people["alice"])
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, groups=[people["staff"]])
    assert Delivery.objects.get(enrollment=alice_phone).status == Delivery.Status.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        if side == "group":
            people["staff"].members.clear()
        else:
            people["alice"].groups.clear()
    assert Delivery.objects.get(enrollment=alice_phone).status == Delivery.Status.REMOVING
    assert QueuedCommand.objects.filter(
        enrollment=alice_phone, command__request_type="RemoveProfile"
    ).exists()


def test_user_channel_of_a_group_member_gets_user_scope_profiles(
    server_pki, admin_user, people
) -> None:
    mac = make_enrollment(platform="macOS", os_version="15.1", directory_user=people["alice"])
    user_channel = make_enrollment(
        platform="macOS", os_version="15.1", channel=Enrollment.Channel.USER, parent=mac
    )
    profile = _profile(admin_user)
    profile = services.update_profile(profile, actor=admin_user, scope="user")
    outcome = services.assign_profile(profile=profile, actor=admin_user, groups=[people["staff"]])
    assert outcome.installed.queued == [user_channel.pk]
