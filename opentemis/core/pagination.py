"""Pagination that stays fast on national-size lists.

Counting every match of "nguyen" among 1.2 million people costs more than showing a page, so
the count stops at ``cap``: the page then says "more than 10,000" and offers the pages up to
the cap. Narrowing the filter brings exact counts back.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, TypeVar

from django.core.paginator import Paginator
from django.db.models import Model, QuerySet

_M = TypeVar("_M", bound=Model)


class CappedPaginator(Paginator[_M]):
    """Pages of a queryset (its count is a bounded query, so a list of rows will not do)."""

    cap = 10_000
    object_list: QuerySet[_M]

    def __init__(
        self,
        object_list: QuerySet[_M],
        per_page: int,
        cap: int | None = None,
        known_count: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        if cap is not None:
            self.cap = cap
        if known_count is not None:
            # The caller already counted (a search's match step): keep it, run no COUNT.
            self.__dict__["count"] = min(known_count, self.cap + 1)

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMITed subquery: bounded work whatever the number of matches.
        # values("pk") drops the select_related joins. The ORDER BY stays: lists are ordered
        # along an index, so the database walks it and stops at cap + 1 rows. Without it,
        # PostgreSQL chose a LIMITed sequential scan, assuming matches spread evenly through the
        # table; a province's rows sit together, so every few runs it read 1M rows (300 ms).
        return self.object_list.values("pk")[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
