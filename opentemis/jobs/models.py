"""Background jobs with progress and a downloadable result (see docs/decisions)."""
