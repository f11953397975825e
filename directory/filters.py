"""django-filter FilterSets of the directory REST API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from directory.models import DirectoryUser


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=200, help_text="Part of the username, e-mail or name"
    )

    class Meta:
        model = DirectoryUser
        fields = ["source", "enabled"]

    def search(self, qs: QuerySet[DirectoryUser], name: str, value: str) -> QuerySet[DirectoryUser]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(username__icontains=value)
            | Q(email__icontains=value)
            | Q(display_name__icontains=value)
        )
