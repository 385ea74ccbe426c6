"""``{% data_as_of value as as_of %}``: the time a page's figures are true as of, the one helper
of every "figures as of hh:mm" line (``core.replicas.data_as_of``; decision 0026).

``value`` is when stored figures were computed (a report's summaries, a weekly snapshot); left
out, the figures were counted live (now). Either way, never later than the replica's state
when the page read from it.
"""

from __future__ import annotations

from datetime import datetime

from django import template

from opentemis.core.replicas import data_as_of as _data_as_of

register = template.Library()


@register.simple_tag
def data_as_of(computed_at: datetime | None = None) -> datetime:
    return _data_as_of(computed_at)
