"""Database indexes the ORM cannot spell the same way on PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.expressions import OrderBy


class KeysetIndex(models.Index):
    """An index for keyset pages in the order (column DESC NULLS LAST, id DESC).

    SQLite (the embedded mode) takes no NULLS clause in an index, but sorts NULL as the lowest
    value, so there a plain DESC already puts empty values last: the same order.
    """

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = [
            OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e
            for e in self.expressions
        ]
        twin = models.Index(*plain, name=self.name, condition=self.condition)
        return twin.create_sql(model, schema_editor, using=using, **kwargs)
