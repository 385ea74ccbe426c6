"""The TEMIS report as JSON: :meth:`ReportData.to_json`, UTF-8, Vietnamese letters as they are.

The same document the API returns, so a file saved from the CLI and a response compare equal.
"""

from __future__ import annotations

import json

from opentemis.reports.data import ReportData


def report_json(data: ReportData) -> bytes:
    return json.dumps(data.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
