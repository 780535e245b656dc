"""The monitoring portal's JSON API (real host e.g. https://monitoring.example.uz), at /portal.

A media-monitoring service crawls the news sites, tags the institutions a story concerns when
it can, and records the institutions' responses. Its API lists both in the portal's own
sequence, oldest first, with an opaque cursor, so that a client that keeps the last
``next_cursor`` gets only what the portal collected since:

- ``GET /portal/api/v1/stories?cursor=&limit=&until=``
- ``GET /portal/api/v1/responses?cursor=&limit=&until=``

``limit``: 1 to 500 (default 100). ``until`` (ISO 8601 with an offset, optional): only what the
portal had collected (stories) or recorded (responses) before then. Every request needs
``Authorization: Bearer <token>`` (any non-empty token here); without one the answer is 401.

A page::

    {"data": [...], "next_cursor": "eyJ0Ijo...", "has_more": true}

``next_cursor`` is the position of the page's last item (the request's own cursor, or null,
when the page is empty); ``has_more`` says whether more items follow it now. A story::

    {"id": "1000123", "url": "https://kun.uz/news/2025/03/03/100234",
     "title": "...", "text": "...", "language": "uz-Latn",
     "source": {"name": "Kun.uz", "domain": "kun.uz"},
     "published_at": "2025-03-03T14:15:00+05:00", "collected_at": "2025-03-03T14:19:12+05:00",
     "institutions": [{"code": "justice"}], "tone": "negative"}

A response::

    {"id": "5000123", "story": {"id": "1000123", "url": "https://kun.uz/news/..."},
     "institution": {"code": "justice"}, "responded_at": "2025-03-03T18:02:00+05:00",
     "url": "https://justice.gov.example/news/1000123-1", "channel": "website",
     "account": null, "recorded_at": "2025-03-03T18:09:41+05:00"}

``channel`` is one of social_post, website, press_release, statement, media_comment; a social
post has ``account: {"platform": "x", "handle": "adliyauz"}``. Times are in Tashkent's offset.
A value the portal lacks is null (``url``, ``title``, ``published_at``, ``responded_at``, and a
story's ``id`` in a response to a story it did not collect itself).

Errors are ``{"error": {"code": ..., "message": ...}}``: 400 ``invalid_parameter`` /
``invalid_cursor``, 401 ``unauthorized``, 404 ``not_found``, 429 ``rate_limited`` with
``Retry-After``; a 5xx comes from the gateway in front of it, as an nginx HTML page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from presswatch.simulator import faults
from presswatch.simulator.runtime import FaultSpec, runtime
from presswatch.simulator.store import PortalKey, PortalResponse, PortalStory
from presswatch.simulator.wire import InvalidCursor, decode_cursor, encode_cursor

router = APIRouter(prefix="/portal")

TASHKENT = ZoneInfo("Asia/Tashkent")
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
RATE_LIMIT = 600  # requests a minute, as the headers say


class PortalError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        body = {"error": {"code": self.code, "message": self.message}}
        return JSONResponse(body, status_code=self.status, headers=headers)


def _rate_headers(remaining: int) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(RATE_LIMIT), "X-RateLimit-Remaining": str(remaining)}


def _rate_limited(spec: FaultSpec) -> Response:
    error = PortalError(
        429, "rate_limited", f"Too many requests; retry after {spec.retry_after} seconds"
    )
    return error.response({"Retry-After": str(spec.retry_after), **_rate_headers(0)})


def _server_error(spec: FaultSpec) -> Response:
    return faults.gateway_error_page(spec.status or 502)


RESPONDERS = faults.Responders(rate_limited=_rate_limited, server_error=_server_error)


# --- wire values ----------------------------------------------------------------------------


def portal_time(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in Tashkent's offset, to the second: ``2025-03-03T14:15:00+05:00``."""
    if moment is None:
        return None
    return moment.astimezone(TASHKENT).replace(microsecond=0).isoformat()


def _cursor(listing: str, key: PortalKey) -> str:
    # Exact to the microsecond: the served times are rounded, the sequence is not.
    return encode_cursor({"l": listing, "t": key[0].isoformat(), "i": key[1]})


def _cursor_key(listing: str, cursor: str | None) -> PortalKey | None:
    if not cursor:
        return None
    try:
        payload = decode_cursor(cursor)
        if payload.get("l") != listing or not isinstance(payload.get("i"), int):
            raise InvalidCursor(cursor)
        moment = dt.datetime.fromisoformat(payload["t"])
    except (InvalidCursor, KeyError, TypeError, ValueError) as exc:
        raise PortalError(400, "invalid_cursor", f"cursor is not a {listing} cursor") from exc
    if moment.tzinfo is None:
        raise PortalError(400, "invalid_cursor", f"cursor is not a {listing} cursor")
    return (moment, payload["i"])


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise PortalError(
            400, "invalid_parameter", f"limit must be an integer between 1 and {MAX_LIMIT}"
        )
    return int(value)


def _until(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PortalError(400, "invalid_parameter", "until must be an ISO 8601 time with an offset")
    return moment


def _story(story: PortalStory) -> dict:
    return {
        "id": str(story.portal_id),
        "url": story.url,
        "title": story.title,
        "text": story.text,
        "language": story.language,
        "source": {"name": story.source_name, "domain": story.source_domain},
        "published_at": portal_time(story.published_at),
        "collected_at": portal_time(story.collected_at),
        "institutions": [{"code": code} for code in story.institution_codes],
        "tone": story.tone,
    }


def _response(response: PortalResponse) -> dict:
    account = None
    if response.account_platform is not None:
        account = {"platform": response.account_platform, "handle": response.account_handle}
    story_id = response.story_portal_id
    return {
        "id": str(response.portal_id),
        "story": {"id": None if story_id is None else str(story_id), "url": response.story_url},
        "institution": {"code": response.institution_code},
        "responded_at": portal_time(response.responded_at),
        "url": response.url,
        "channel": response.channel,
        "account": account,
        "recorded_at": portal_time(response.recorded_at),
    }


# --- endpoints ------------------------------------------------------------------------------


def _authorized(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


async def _page(
    request: Request,
    listing: str,
    rows: Callable[[PortalKey | None, dt.datetime | None, int], Awaitable[Sequence]],
    as_json: Callable[[Any], dict],
) -> Response:
    if not _authorized(request):
        error = PortalError(401, "unauthorized", "a valid bearer token is required")
        return error.response({"WWW-Authenticate": 'Bearer realm="portal"'})
    try:
        params = request.query_params
        limit = _limit(params.get("limit"))
        after = _cursor_key(listing, params.get("cursor"))
        until = _until(params.get("until"))
    except PortalError as error:
        return error.response()
    found = list(await rows(after, until, limit + 1))
    page = found[:limit]
    next_cursor = _cursor(listing, page[-1].key) if page else params.get("cursor") or None
    body = {
        "data": [as_json(row) for row in page],
        "next_cursor": next_cursor,
        "has_more": len(found) > limit,
    }
    return JSONResponse(body, headers=_rate_headers(RATE_LIMIT - 1))


@router.get("/api/v1/stories")
async def stories(request: Request) -> Response:
    store = runtime(request).store
    return await faults.serve(
        request,
        "portal",
        lambda: _page(request, "stories", store.portal_stories, _story),
        RESPONDERS,
    )


@router.get("/api/v1/responses")
async def responses(request: Request) -> Response:
    store = runtime(request).store
    return await faults.serve(
        request,
        "portal",
        lambda: _page(request, "responses", store.portal_responses, _response),
        RESPONDERS,
    )


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
async def portal_unknown_path(request: Request, rest: str) -> Response:
    async def produce() -> Response:
        return PortalError(404, "not_found", f"no such resource: /{rest}").response()

    return await faults.serve(request, "portal", produce, RESPONDERS)
