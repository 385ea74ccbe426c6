"""A synthetic nation for demos and benchmarks: the unit tree, schools and staff of Vietnam.

``opentemis synth --size national`` builds the Bộ, 34 Sở, ≈3,300 communes, ≈48,000 schools and
≈1.2 million staff. The generator is plain functions over plain tuples so that one code path
feeds two loaders:

* PostgreSQL: rows are streamed with ``COPY ... FROM STDIN`` into tables truncated in the same
  transaction (so ``COPY FREEZE`` applies and the rows need no later VACUUM), with foreign keys,
  unique constraints and secondary indexes dropped during the load and rebuilt after it: one
  index build is far cheaper than 1.2 M index insertions and trigger checks.
* Any other database (SQLite for the demo and tests): the ORM's ``bulk_create``.

Materialised paths are computed here with treebeard's encoding (steplen 4, base 36), children
numbered from 1 in the order they are generated, so treebeard's own operations (``add_child``,
``move``, ``find_problems``) work on the result.

Everything random comes from ``random.Random`` seeded with the seed *and* the province code, so a
seed always gives the same nation, and a province is the same in every size that holds it.

The package, by responsibility:

* ``base``: sizes, shared constants, the materialised path, seeded random picks.
* ``plan``: planning the unit tree (communes, schools, staff counts).
* ``people``: generating the staff rows of each school, name pools.
* ``load``: the loaded tables, the run, the ORM loader and the PostgreSQL COPY loader (reset,
  index drop and rebuild).
* ``data``: names and geography, data only.

Every public name is re-exported here: ``from opentemis.site import synth`` is the interface.
"""

from __future__ import annotations

from opentemis.site.synth.base import (
    CURRENT_YEAR,
    PREVIOUS_YEAR,
    PUBLIC_SIZES,
    REFERENCE_DATE,
    SIZES,
    Picker,
    Progress,
    Row,
    SizeSpec,
    SynthError,
    apportion,
    path_step,
    seeded,
    uniform,
)
from opentemis.site.synth.load import (
    Report,
    Table,
    ensure_school_years,
    has_data,
    load_refs,
    run,
    tables,
    unit_level_rows,
    unit_rows,
)
from opentemis.site.synth.people import (
    MANAGER_ROLES,
    NV_SHARE,
    PRIMARY_LIKE,
    QUAL_KEY,
    ROLE_POSITIONS,
    TEACHER_ROLES,
    Batch,
    Ids,
    Refs,
    iter_school_batches,
)
from opentemis.site.synth.plan import (
    MIN_STAFF,
    Plan,
    PlannedUnit,
    plan_nation,
    school_counts,
)

__all__ = [
    "CURRENT_YEAR",
    "MANAGER_ROLES",
    "MIN_STAFF",
    "NV_SHARE",
    "PREVIOUS_YEAR",
    "PRIMARY_LIKE",
    "PUBLIC_SIZES",
    "QUAL_KEY",
    "REFERENCE_DATE",
    "ROLE_POSITIONS",
    "SIZES",
    "TEACHER_ROLES",
    "Batch",
    "Ids",
    "Picker",
    "Plan",
    "PlannedUnit",
    "Progress",
    "Refs",
    "Report",
    "Row",
    "SizeSpec",
    "SynthError",
    "Table",
    "apportion",
    "ensure_school_years",
    "has_data",
    "iter_school_batches",
    "load_refs",
    "path_step",
    "plan_nation",
    "run",
    "school_counts",
    "seeded",
    "tables",
    "uniform",
    "unit_level_rows",
    "unit_rows",
]
