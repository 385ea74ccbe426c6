"""REST API for the evaluation workflow (TT 20/2018, TT 14/2018), mounted under
``/api/v1/evaluations/`` and ``/api/v1/cycles/`` by ``evaluations/api_urls.py``:

- :mod:`.cycles`: cycles and their completion;
- :mod:`.evaluations`: the list, the caller's own evaluation (``me``) and one record;
- :mod:`.steps`: the workflow's steps on one record: the person's self-evaluation (BM1) and its
  evidence, the review, the acknowledgement and the reopening; each answers the record;
- :mod:`.opinions`: colleagues' opinions (BM2, BM3) and the anonymous poll about a principal;
- :mod:`.queue`: the caller's review queue; :mod:`.paper`: the paper-evaluation import;
- :mod:`.common`: the HTTP mapping every view shares; :mod:`.detail`: the record as the API
  shows it.

A thin layer over :mod:`opentemis.evaluations.services` and ``selectors``, so the API has the
pages' scoping, rules and audit. What it adds is the HTTP mapping:

* an evaluation the caller may not see at all answers 404, the same as a missing one; a step the
  caller may not take on an evaluation they can see answers 403. "See" means ``access.can_view``
  (the person, their reviewer, whoever follows the subtree), widened per endpoint for the
  colleagues who give an opinion and the staff who answer a principal's poll;
* a stale ``version`` answers the one 409 of every versioned record (``core/conflicts.py``: the
  current version and the other person's changes), from the project's exception handler;
* a service's ``ValidationError`` answers 400 with its message, in the request's language;
* a database failure during a write answers 503: the write is atomic, nothing was saved.

Every answer's shape is declared once, by the serializers of :mod:`..serializers` (which the
OpenAPI schema documents): views give them objects, or the values computed for the caller.
"""
