"""Facebook Graph API and Instagram Graph API (real host: https://graph.facebook.com), at /graph.

- ``GET /graph/{version}/{page id or username}?fields=...``: a Page.
- ``GET /graph/{version}/{page}/posts?fields=...&since=&until=&limit=&after=``: its posts.
- ``GET /graph/{version}/{ig user id}/media?fields=...``: an Instagram account's media.
- ``GET /graph/{version}/{own ig user id}?fields=business_discovery.username(handle){...}``:
  another Instagram account, seen through one's own.

Only the requested fields come back, with ``id`` always, as Graph does. Listings are newest first
with cursor paging: ``paging.cursors.before/after`` always, ``next``/``previous`` absolute URLs
only when more lies that way. Business discovery's nested ``media`` has no URLs; there,
``cursors.after`` is present only while older media remain. ``since`` is inclusive and ``until``
exclusive, so that consecutive windows never return a post twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from presswatch.simulator import faults
from presswatch.simulator.graph_fields import (
    FieldSpec,
    FieldSyntaxError,
    format_fields,
    parse_fields,
)
from presswatch.simulator.runtime import FaultSpec, runtime
from presswatch.simulator.store import Account, Post, PostKey, Store
from presswatch.simulator.wire import (
    UTC,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
    graph_time,
    key_from_json,
    key_to_json,
    newest_first,
    stable_fraction,
)

router = APIRouter(prefix="/graph")

VERSION = re.compile(r"v\d+\.\d+")
DEFAULT_LIMIT = 25
MAX_LIMIT = 100

PAGE_FIELDS = (
    "id",
    "name",
    "username",
    "link",
    "followers_count",
    "fan_count",
    "verification_status",
)
PAGE_DEFAULT_FIELDS = ("id", "name")
PAGE_EDGES = ("posts", "published_posts", "feed")
PAGE_POST_FIELDS = ("id", "message", "created_time", "permalink_url")
PAGE_POST_DEFAULT_FIELDS = ("created_time", "message", "id")

IG_USER_FIELDS = ("id", "username", "name", "followers_count", "follows_count", "media_count")
IG_USER_DEFAULT_FIELDS = ("id",)
IG_EDGES = ("media",)
IG_MEDIA_FIELDS = ("id", "caption", "media_type", "permalink", "timestamp", "username")
IG_MEDIA_DEFAULT_FIELDS = ("id",)

NODE_TYPES = {"facebook": "Page", "instagram": "IGUser"}
ITEM_TYPES = {"facebook": "PagePost", "instagram": "IGMedia"}

DEFAULT_RATE_LIMIT_CODE = 4
RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}
USAGE_HEADER = "x-app-usage"
USAGE_NORMAL = json.dumps({"call_count": 1, "total_cputime": 1, "total_time": 1})
USAGE_EXHAUSTED = json.dumps({"call_count": 100, "total_cputime": 100, "total_time": 100})


class GraphError(Exception):
    """An error Graph reports in its ``{"error": {...}}`` body."""

    def __init__(
        self,
        message: str,
        code: int,
        *,
        status: int = 400,
        error_type: str = "OAuthException",
        subcode: int | None = None,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error: dict = {"message": message, "type": error_type}
        if is_transient is not None:
            self.error["is_transient"] = is_transient
        self.error["code"] = code
        if subcode is not None:
            self.error["error_subcode"] = subcode
        if user_title is not None:
            self.error["error_user_title"] = user_title
        if user_message is not None:
            self.error["error_user_msg"] = user_message

    def response(self, usage: str = USAGE_NORMAL) -> JSONResponse:
        body = {"error": {**self.error, "fbtrace_id": _fbtrace_id()}}
        return JSONResponse(body, status_code=self.status, headers={USAGE_HEADER: usage})


def _fbtrace_id() -> str:
    return secrets.token_urlsafe(12)[:11]


def unsupported_get(node_id: str) -> GraphError:
    return GraphError(
        f"Unsupported get request. Object with ID '{node_id}' does not exist, cannot be loaded "
        "due to missing permissions, or does not support this operation. Please read the Graph "
        "API documentation at https://developers.facebook.com/docs/graph-api",
        100,
        error_type="GraphMethodException",
        subcode=33,
    )


def nonexisting_field(field_name: str, node_type: str) -> GraphError:
    return GraphError(
        f"(#100) Tried accessing nonexisting field ({field_name}) on node type ({node_type})", 100
    )


def _rate_limited(spec: FaultSpec) -> Response:
    code = spec.code or DEFAULT_RATE_LIMIT_CODE
    error = GraphError(
        RATE_LIMIT_MESSAGES[code], code, status=spec.status or 400, is_transient=True
    )
    return error.response(usage=USAGE_EXHAUSTED)


def _server_error(spec: FaultSpec) -> Response:
    status = spec.status or 500
    if status == 500:
        error = GraphError("An unknown error has occurred.", 1, status=500, is_transient=True)
    else:
        error = GraphError("Service temporarily unavailable", 2, status=status, is_transient=True)
    return error.response()


RESPONDERS = faults.Responders(rate_limited=_rate_limited, server_error=_server_error)


# --- request parameters ---------------------------------------------------------------------


def _access_token(request: Request) -> str | None:
    token = request.query_params.get("access_token")
    if token:
        return token
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None


def _requested_fields(text: str | None, default: tuple[str, ...]) -> tuple[FieldSpec, ...]:
    if not text:
        return tuple(FieldSpec(name) for name in default)
    try:
        return parse_fields(text)
    except FieldSyntaxError as exc:
        raise GraphError(str(exc), 2500) from exc


def _moment(name: str, value: str | None) -> dt.datetime | None:
    """``since``/``until``: a Unix timestamp, or a date/time (Graph accepts strtotime values)."""
    if not value:
        return None
    if re.fullmatch(r"-?\d+", value):
        return dt.datetime.fromtimestamp(int(value), UTC)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphError(
            f"(#100) The parameter {name} must be a unix timestamp or a strtotime value", 100
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _limit(value: str | None) -> int:
    if not value:
        return DEFAULT_LIMIT
    if not value.isdigit():
        raise GraphError("(#100) Param limit must be a number", 100)
    if int(value) > MAX_LIMIT:
        raise GraphError(f"(#100) The 'limit' parameter should not exceed {MAX_LIMIT}", 100)
    return max(int(value), 1)


def _cursor_key(name: str, cursor: str | None) -> PostKey | None:
    if not cursor:
        return None
    try:
        return key_from_json(decode_cursor(cursor).get("k"))
    except InvalidCursor as exc:
        raise GraphError(f"(#100) The {name} cursor is not valid", 100) from exc


def _cursor(post: Post) -> str:
    return encode_cursor({"k": key_to_json(post.key)})


@dataclass(frozen=True)
class ListingRequest:
    limit: int
    after: PostKey | None
    before: PostKey | None
    since: dt.datetime | None
    until: dt.datetime | None

    @classmethod
    def from_parameters(cls, get: Callable[[str], str | None]) -> ListingRequest:
        """From query parameters or from ``.limit(25).after(...)`` modifiers alike."""
        return cls(
            limit=_limit(get("limit")),
            after=_cursor_key("after", get("after")),
            before=_cursor_key("before", get("before")),
            since=_moment("since", get("since")),
            until=_moment("until", get("until")),
        )


# --- objects --------------------------------------------------------------------------------


def _bare_post_id(post: Post) -> str:
    return post.post_id.rsplit("_", 1)[-1]


def _page_post(account: Account, post: Post, name: str) -> object:
    if name == "id":
        bare = _bare_post_id(post)
        return f"{account.external_id}_{bare}"
    if name == "message":
        return post.text
    if name == "created_time":
        return graph_time(post.created_at)
    if name == "permalink_url":
        return f"https://www.facebook.com/{account.external_id}/posts/{_bare_post_id(post)}"
    raise nonexisting_field(name, ITEM_TYPES["facebook"])


def _instagram_media(account: Account, post: Post, name: str) -> object:
    if name == "id":
        return post.post_id
    if name == "caption":
        return post.text
    if name == "media_type":
        share = stable_fraction("media_type", post.post_id)
        return "IMAGE" if share < 0.7 else "CAROUSEL_ALBUM" if share < 0.9 else "VIDEO"
    if name == "permalink":
        digest = hashlib.sha256(post.post_id.encode()).digest()[:8]
        shortcode = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        return f"https://www.instagram.com/p/{shortcode}/"
    if name == "timestamp":
        return graph_time(post.created_at)
    if name == "username":
        return account.handle
    raise nonexisting_field(name, ITEM_TYPES["instagram"])


ITEM_VALUES = {"facebook": _page_post, "instagram": _instagram_media}
ITEM_DEFAULT_FIELDS = {"facebook": PAGE_POST_DEFAULT_FIELDS, "instagram": IG_MEDIA_DEFAULT_FIELDS}
OPTIONAL_WHEN_EMPTY = ("message", "caption")  # Graph leaves out a text the post does not have


def _item(account: Account, post: Post, fields: tuple[FieldSpec, ...]) -> dict:
    value_of = ITEM_VALUES[account.platform]
    item = {}
    for spec in fields:
        value = value_of(account, post, spec.name)
        if spec.name in OPTIONAL_WHEN_EMPTY and not value:
            continue
        item[spec.name] = value
    item.setdefault("id", value_of(account, post, "id"))
    return item


def _page_value(account: Account, name: str) -> object:
    values = {
        "id": account.external_id,
        "name": account.name,
        "username": account.handle,
        "link": f"https://www.facebook.com/{account.handle}",
        "followers_count": account.followers,
        "fan_count": round(
            account.followers * (0.85 + 0.1 * stable_fraction("fans", account.external_id))
        ),
        "verification_status": "blue_verified" if account.verified else "not_verified",
    }
    return values[name]


async def _instagram_value(store: Store, account: Account, name: str) -> object:
    if name == "media_count":
        return await store.post_count(account)
    values = {
        "id": account.external_id,
        "username": account.handle,
        "name": account.name,
        "followers_count": account.followers,
        "follows_count": 50 + round(450 * stable_fraction("follows", account.external_id)),
    }
    return values[name]


async def _listing(
    store: Store,
    account: Account,
    listing: ListingRequest,
    fields: tuple[FieldSpec, ...],
    link: Callable[[str, str], str] | None,
) -> dict:
    """An edge's page: with ``link`` (a URL for a cursor), as Graph pages a top-level edge or a
    field expansion; without, as business discovery pages nested media."""
    posts = await store.posts(account, listing.since, listing.until)
    page = newest_first(posts, listing.limit, older_than=listing.after, newer_than=listing.before)
    if not page.posts:
        return {"data": []}
    data = [_item(account, post, fields) for post in page.posts]
    first, last = _cursor(page.posts[0]), _cursor(page.posts[-1])
    if link is None:
        cursors = {}
        if page.has_newer:
            cursors["before"] = first
        if page.has_older:
            cursors["after"] = last
        return {"data": data, "paging": {"cursors": cursors}}
    paging: dict = {"cursors": {"before": first, "after": last}}
    if page.has_newer:
        paging["previous"] = link("before", first)
    if page.has_older:
        paging["next"] = link("after", last)
    return {"data": data, "paging": paging}


def _item_fields(account: Account, specs: tuple[FieldSpec, ...] | None) -> tuple[FieldSpec, ...]:
    if specs:
        return specs
    return tuple(FieldSpec(name) for name in ITEM_DEFAULT_FIELDS[account.platform])


def _top_level_link(request: Request) -> Callable[[str, str], str]:
    def link(direction: str, cursor: str) -> str:
        url = request.url.remove_query_params(["after", "before"])
        return str(url.include_query_params(**{direction: cursor}))

    return link


def _expansion_link(
    request: Request, version: str, account: Account, spec: FieldSpec
) -> Callable[[str, str], str]:
    """Graph points a field expansion's ``next`` at the edge itself, with the subfields."""

    def link(direction: str, cursor: str) -> str:
        url = request.url.replace(
            path=f"{request.scope.get('root_path', '')}/graph/{version}/"
            f"{account.external_id}/{spec.name}",
            query="",
        )
        params = {
            key: value
            for key, value in request.query_params.items()
            if key in ("access_token", "appsecret_proof")
        }
        if spec.children:
            params["fields"] = format_fields(spec.children)
        params.update(
            {key: value for key, value in spec.modifiers.items() if key not in ("after", "before")}
        )
        params[direction] = cursor
        return str(url.include_query_params(**params))

    return link


async def _business_discovery(store: Store, spec: FieldSpec) -> dict:
    username = spec.modifiers.get("username")
    if not username:
        raise GraphError("(#100) The parameter username is required", 100)
    target = await store.account_by_handle("instagram", username)
    if target is None or target.deleted:
        raise GraphError(
            "Invalid user id",
            110,
            subcode=2207013,
            is_transient=False,
            user_title="Cannot find User",
            user_message=f"The user with username: {username} cannot be found.",
        )
    result: dict = {}
    for child in spec.children or (FieldSpec("id"),):
        if child.name in IG_USER_FIELDS:
            result[child.name] = await _instagram_value(store, target, child.name)
        elif child.name == "media":
            listing = ListingRequest.from_parameters(child.modifiers.get)
            fields = _item_fields(target, child.children)
            result["media"] = await _listing(store, target, listing, fields, link=None)
        else:
            raise nonexisting_field(child.name, "BusinessDiscovery")
    result.setdefault("id", target.external_id)
    return result


async def _node(request: Request, version: str, node_id: str, account: Account | None) -> dict:
    if account is None or account.deleted:
        raise unsupported_get(node_id)
    store = runtime(request).store
    is_page = account.platform == "facebook"
    fields = _requested_fields(
        request.query_params.get("fields"),
        PAGE_DEFAULT_FIELDS if is_page else IG_USER_DEFAULT_FIELDS,
    )
    scalar_fields = PAGE_FIELDS if is_page else IG_USER_FIELDS
    edges = PAGE_EDGES if is_page else IG_EDGES
    result: dict = {}
    for spec in fields:
        if spec.name in scalar_fields:
            result[spec.name] = (
                _page_value(account, spec.name)
                if is_page
                else await _instagram_value(store, account, spec.name)
            )
        elif spec.name in edges:
            listing = ListingRequest.from_parameters(spec.modifiers.get)
            link = _expansion_link(request, version, account, spec)
            item_fields = _item_fields(account, spec.children)
            result[spec.name] = await _listing(store, account, listing, item_fields, link)
        elif spec.name == "business_discovery" and not is_page:
            result[spec.name] = await _business_discovery(store, spec)
        else:
            raise nonexisting_field(spec.name, NODE_TYPES[account.platform])
    result.setdefault("id", account.external_id)
    return result


async def _edge(request: Request, node_id: str, edge: str, account: Account | None) -> dict:
    if account is None or account.deleted:
        raise unsupported_get(node_id)
    if edge not in (PAGE_EDGES if account.platform == "facebook" else IG_EDGES):
        raise nonexisting_field(edge, NODE_TYPES[account.platform])
    listing = ListingRequest.from_parameters(request.query_params.get)
    fields = _requested_fields(
        request.query_params.get("fields"), ITEM_DEFAULT_FIELDS[account.platform]
    )
    store = runtime(request).store
    return await _listing(store, account, listing, fields, _top_level_link(request))


async def _answer(request: Request, version: str, build: Callable[[], Awaitable[dict]]) -> Response:
    try:
        if not VERSION.fullmatch(version):
            raise GraphError(f"Unknown path components: /{version}", 2500)
        if _access_token(request) is None:
            raise GraphError("An access token is required to request this resource.", 190)
        body = await build()
    except GraphError as error:
        return error.response()
    return JSONResponse(body, headers={USAGE_HEADER: USAGE_NORMAL})


def _platform(account: Account | None) -> str:
    # A request for an unknown id cannot be told apart; Facebook is the likelier reader.
    return account.platform if account is not None else "facebook"


@router.get("/{version}/{node_id}")
async def graph_node(request: Request, version: str, node_id: str) -> Response:
    account = await runtime(request).store.graph_node(node_id)
    return await faults.serve(
        request,
        _platform(account),
        lambda: _answer(request, version, lambda: _node(request, version, node_id, account)),
        RESPONDERS,
    )


@router.get("/{version}/{node_id}/{edge}")
async def graph_edge(request: Request, version: str, node_id: str, edge: str) -> Response:
    account = await runtime(request).store.graph_node(node_id)
    return await faults.serve(
        request,
        _platform(account),
        lambda: _answer(request, version, lambda: _edge(request, node_id, edge, account)),
        RESPONDERS,
    )


@router.api_route("/{rest:path}", methods=["GET", "POST", "DELETE"])
async def graph_unknown_path(request: Request, rest: str) -> Response:
    async def produce() -> Response:
        return GraphError(f"Unknown path components: /{rest}", 2500).response()

    return await faults.serve(request, "facebook", produce, RESPONDERS)
