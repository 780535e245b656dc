"""Wire details shared by the simulated platforms: timestamp formats, opaque paging cursors,
newest-first paging over a listing, and stable stand-ins for numbers the world does not hold."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from presswatch.simulator.store import Post, PostKey

UTC = dt.UTC


def graph_time(moment: dt.datetime) -> str:
    """Graph's ``created_time``/``timestamp``: ``2025-03-03T09:15:00+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def x_time(moment: dt.datetime) -> str:
    """X v2's ``created_at``: ``2025-03-03T09:15:00.000Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_seconds(moment: dt.datetime) -> str:
    """t.me's ``<time datetime>``: ``2025-03-03T09:15:00+00:00``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def mediawiki_time(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class InvalidCursor(ValueError):
    """A paging cursor this server did not issue."""


def encode_cursor(payload: dict) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor(cursor) from exc
    if not isinstance(payload, dict):
        raise InvalidCursor(cursor)
    return payload


def key_to_json(key: PostKey) -> list[str]:
    return [key[0].isoformat(), key[1]]


def key_from_json(value: object) -> PostKey:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise InvalidCursor(str(value))
    try:
        moment = dt.datetime.fromisoformat(value[0])
    except ValueError as exc:
        raise InvalidCursor(value[0]) from exc
    if moment.tzinfo is None:
        raise InvalidCursor(value[0])
    return (moment, value[1])


@dataclass(frozen=True)
class Slice:
    """One page of a newest-first listing, and whether anything lies beyond either end."""

    posts: list[Post]
    has_older: bool
    has_newer: bool


def newest_first(
    posts: list[Post],
    limit: int,
    *,
    older_than: PostKey | None = None,
    newer_than: PostKey | None = None,
) -> Slice:
    """Page ``posts`` (sorted newest first) by key, so that a cursor stays valid as data grows."""
    if older_than is not None:
        candidates = [post for post in posts if post.key < older_than]
        return Slice(candidates[:limit], len(candidates) > limit, len(candidates) < len(posts))
    if newer_than is not None:
        candidates = [post for post in posts if post.key > newer_than]
        page = candidates[-limit:] if limit else []
        return Slice(page, len(candidates) < len(posts), len(candidates) > limit)
    return Slice(posts[:limit], len(posts) > limit, False)


def stable_fraction(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts``: for figures the world does not hold (views...)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def compact_count(count: int) -> str:
    """Telegram's rounded counters: 950, 45.2K, 215K, 1.2M."""
    if count < 1000:
        return str(count)
    for divisor, suffix in ((1_000, "K"), (1_000_000, "M"), (1_000_000_000, "B")):
        text = f"{count / divisor:.1f}"
        if float(text) < 1000 or suffix == "B":
            return text.removesuffix(".0") + suffix
    raise AssertionError("unreachable: the last suffix always answers")
