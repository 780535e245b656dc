"""The rating's methodology as data, and its version (R10).

A methodology is everything a rating's numbers depend on: the rating's weights, band limits
and accountability rule, and the rules its indicators are counted by (the posting rule and its
scope, the SLA's clock and calendar, the accreditation deadline, the Wikipedia languages, the
time zone that makes the days), plus ``FORMULA``, the version of the SQL that turns facts into
indicators (raised when that SQL changes what it counts). Its version is the sha256 of its
canonical JSON: a rating stores the methodology it used, whole, under that hash, so that a past
rating is recomputed exactly after the settings change (``presswatch rating reproduce``), and a
settings change never rewrites a published rating.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from presswatch.settings import Settings

# Raise when the indicator SQL (sql/queries/rating/) changes what it counts: a stored
# methodology then no longer describes how the new code computes, and reproduce says so.
FORMULA = 1

# The rating settings that are not part of a methodology: they change no number.
NOT_METHODOLOGY = ("dispute_window_days", "explanation_days", "render_processes")


def of_settings(settings: Settings) -> dict[str, Any]:
    """The parts of the settings a rating depends on, as plain JSON values."""
    data = settings.as_json()
    return {
        "formula": FORMULA,
        "timezone": data["timezone"],
        "rating": {k: v for k, v in data["rating"].items() if k not in NOT_METHODOLOGY},
        "posting": data["posting"],
        "sla": data["sla"],
        "accreditation": data["accreditation"],
        "wikipedia": data["wikipedia"],
    }


def canonical(methodology: dict[str, Any]) -> str:
    return json.dumps(methodology, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(methodology: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(methodology).encode()).hexdigest()
