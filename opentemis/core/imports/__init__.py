"""The spreadsheet import framework every import is built on (docs/architecture.md,
"Spreadsheet imports"; decision 0015).

* :mod:`.reader`: the one safe reader of an uploaded .xlsx (container checks, limits, rows
  streamed) and the cell readers the imports share;
* :mod:`.container`: what kind of file an upload is (zip directory, OLE compound files);
* :mod:`.issues`: the located issue (:class:`~.issues.Issue`) and its collector;
* :mod:`.flow`: check, preview, confirm: :func:`~.flow.run_import` writes all or nothing, the
  checked file waits server-side for the confirmation (:mod:`.uploads`);
* :mod:`.api`: the issues' API shape.

An app keeps only its column mapping and its row handling; ``core`` imports no app.
"""
