"""The quarantine: where bad rows and payloads go, with the reason, instead of being dropped."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg


@dataclass(frozen=True)
class QuarantineItem:
    source: str  # where it came from: "registry:officials.csv", "facebook:/v21.0/123/posts", ...
    reason: str  # what is wrong, naming the field: "line 7, field email: not an email address"
    raw_payload: str | dict[str, Any] | list[Any]  # exactly what was received


def _as_text(payload: str | dict | list) -> str:
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)


def record(
    conn: psycopg.Connection, items: Iterable[QuarantineItem], airflow_run_id: str | None = None
) -> int:
    """Store items in ``quarantine``; return how many were new (the same item twice is kept once)."""
    rows = [(i.source, i.reason, _as_text(i.raw_payload), airflow_run_id) for i in items]
    if not rows:
        return 0
    new = 0
    with conn.cursor() as cur:
        for row in rows:
            cur.execute(
                "INSERT INTO quarantine (source, reason, raw_payload, airflow_run_id)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (fingerprint) DO NOTHING",
                row,
            )
            new += cur.rowcount
    return new
