"""Events of the unit tree, for the apps above orgs to react to.

orgs imports none of the apps that react (docs/decisions/0014-layers.md): it sends a signal, and
they connect to it in their own ``signals.py``.

``units_moved(sender=Unit, prefix)``: units were re-parented under the unit at path ``prefix``
(treebeard rewrote the paths of their subtrees). Sent inside the move's transaction, with
``send`` (not ``send_robust``): a receiver that keeps a copy of unit paths (``Person.unit_path``)
rewrites it in the same transaction, and its failure undoes the move.
"""

from django.dispatch import Signal

units_moved = Signal()
