"""Named device-list filters that each console account saves for itself."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import QueryDict

from devices.models import SavedFilter

MAX_PER_OWNER = 50
# Page cursors point into one moment's list: a saved filter starts from its first page.
NOT_SAVED = ("after", "before")


class SavedFilterRefused(ValueError):
    """The filter cannot be saved; the message says why."""


def save_filter(*, owner: User, name: str, query: str) -> SavedFilter:
    """Save (or replace) the owner's filter of that name; the query string loses page cursors."""
    name = " ".join(name.split())
    if not name:
        raise SavedFilterRefused("Give the filter a name.")
    if any(ord(c) < 32 or c == "\x7f" for c in name):  # PostgreSQL refuses NUL in text
        raise SavedFilterRefused("The name has a control character.")
    if len(name) > SavedFilter._meta.get_field("name").max_length:  # type: ignore[operator]
        raise SavedFilterRefused("The name is longer than 80 characters.")
    params = QueryDict(query, mutable=True)
    for key in NOT_SAVED:
        params.pop(key, None)
    clean = params.urlencode()
    if len(clean) > SavedFilter._meta.get_field("query").max_length:  # type: ignore[operator]
        raise SavedFilterRefused("This filter is too long to save.")
    mine = SavedFilter.objects.filter(owner=owner)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_PER_OWNER:
        raise SavedFilterRefused(
            f"You have {MAX_PER_OWNER} saved filters already: delete one first."
        )
    # The (owner, name) constraint makes two saves of one name at once one row.
    saved, _ = SavedFilter.objects.update_or_create(
        owner=owner, name=name, defaults={"query": clean}
    )
    return saved


def delete_filter(*, owner: User, pk: int) -> bool:
    """Delete one of the owner's saved filters; False when it has none with that id."""
    deleted, _ = SavedFilter.objects.filter(owner=owner, pk=pk).delete()
    return deleted > 0
