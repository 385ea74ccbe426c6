"""Evaluation workflow: every state change, as small atomic functions (views, API, CLI call these).

The steps follow TT 20/2018 Điều 10 khoản 1 (teachers) and TT 14/2018 Điều 10 (principals):
self-evaluation (BM1) → colleagues' opinions (BM2/BM3; for principals, the staff's anonymous
poll) → the reviewer's levels and overall rating → the person is notified and acknowledges.
One module per step of the workflow:

- :mod:`.cycles`: an officer opens a cycle, and finishes it (which locks its frameworks);
- :mod:`.self_evaluation`: the person starts, saves and submits BM1;
  :mod:`.evidence_links`: the evidence cited per criterion;
- :mod:`.opinions`: colleagues' opinions (BM2); :mod:`.polls`: the anonymous staff poll;
- :mod:`.review`: the reviewer saves, returns or finalises; :mod:`.training_needs`: what the
  finalised levels call for; :mod:`.results`: the person acknowledges, an officer reopens;
- underneath: :mod:`.frameworks` (which framework applies, its cached rules, the rating),
  :mod:`.writes` (the version-guarded write and audit every step ends with, and its
  :class:`ConflictError`), :mod:`.fields` (the fields a person types).

Writes are guarded by an optimistic lock (``version``): a save based on an old version raises
:class:`ConflictError` carrying the record as it is now, so the second editor sees the other's
changes and nothing is overwritten silently. Each change is recorded in the audit log with the
fields before and after.

The names below are the package's public interface (``from opentemis.evaluations import
services``; ``services.evaluation_submit(...)``), as callers across the apps use it.
"""

from opentemis.evaluations.services.cycles import cycle_finish, cycle_open
from opentemis.evaluations.services.evidence_links import (
    criterion_number,
    evidence_attach,
    evidence_detach,
)
from opentemis.evaluations.services.fields import (
    INPUT_FIELDS,
    REQUIRED_TEXT_FIELDS,
    TEXT_FIELD_LABELS,
    TEXT_FIELDS,
)
from opentemis.evaluations.services.frameworks import (
    clean_levels,
    clean_notes,
    clear_framework_caches,
    criteria_of,
    framework_cached,
    framework_for_person,
    is_complete,
    rate_levels,
    require_framework_applies,
    require_reason_below_suspended,
    rule_set_for,
)
from opentemis.evaluations.services.opinions import opinion_give
from opentemis.evaluations.services.polls import (
    POLL_MIN_BALLOTS,
    CriterionCounts,
    PollResults,
    poll_answer,
    poll_results,
)
from opentemis.evaluations.services.results import evaluation_acknowledge, evaluation_reopen
from opentemis.evaluations.services.review import (
    evaluation_finalise,
    evaluation_return,
    evaluation_review_save,
    finalise_warning,
)
from opentemis.evaluations.services.self_evaluation import (
    SelfMissing,
    evaluation_save_draft,
    evaluation_start,
    evaluation_submit,
    self_missing,
)
from opentemis.evaluations.services.training_needs import (
    forget_training_needs,
    record_training_needs,
    training_needs_of,
)
from opentemis.evaluations.services.writes import (
    ConflictError,
    field_changes,
    guarded_update,
    write_step,
)

__all__ = [
    "INPUT_FIELDS",
    "POLL_MIN_BALLOTS",
    "REQUIRED_TEXT_FIELDS",
    "TEXT_FIELDS",
    "TEXT_FIELD_LABELS",
    "ConflictError",
    "CriterionCounts",
    "PollResults",
    "SelfMissing",
    "clean_levels",
    "clean_notes",
    "clear_framework_caches",
    "criteria_of",
    "criterion_number",
    "cycle_finish",
    "cycle_open",
    "evaluation_acknowledge",
    "evaluation_finalise",
    "evaluation_reopen",
    "evaluation_return",
    "evaluation_review_save",
    "evaluation_save_draft",
    "evaluation_start",
    "evaluation_submit",
    "evidence_attach",
    "evidence_detach",
    "field_changes",
    "finalise_warning",
    "forget_training_needs",
    "framework_cached",
    "framework_for_person",
    "guarded_update",
    "is_complete",
    "opinion_give",
    "poll_answer",
    "poll_results",
    "rate_levels",
    "record_training_needs",
    "require_framework_applies",
    "require_reason_below_suspended",
    "rule_set_for",
    "self_missing",
    "training_needs_of",
    "write_step",
]
