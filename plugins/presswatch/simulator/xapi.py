"""X API v2 (real host: https://api.x.com), at /x.

- ``GET /x/2/users/by/username/{username}?user.fields=...``
- ``GET /x/2/users/by?usernames=a,b&user.fields=...``
- ``GET /x/2/users/{id}?user.fields=...``
- ``GET /x/2/users/{id}/tweets?start_time=&end_time=&max_results=&tweet.fields=&pagination_token=``

Every request needs ``Authorization: Bearer ...`` (401 otherwise). As X does, a user that does
not exist is an HTTP 200 whose body holds ``errors`` instead of ``data``. Timelines are newest
first; ``start_time`` is inclusive and ``end_time`` exclusive, as X documents; ``meta.next_token``
leads to older tweets until none remain, ``meta.previous_token`` back to newer ones.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from presswatch.simulator import faults
from presswatch.simulator.runtime import FaultSpec, runtime
from presswatch.simulator.store import Account, Post, PostKey, Store
from presswatch.simulator.wire import (
    UTC,
    InvalidCursor,
    key_from_json,
    key_to_json,
    newest_first,
    stable_fraction,
    x_time,
)

router = APIRouter(prefix="/x")

RATE_LIMIT = 900
DEFAULT_MAX_RESULTS = 10
MAX_RESULTS_RANGE = (5, 100)
USERNAME = re.compile(r"[A-Za-z0-9_]{1,50}")  # X allows 15; demo handles may run longer
USER_ID = re.compile(r"[0-9]{1,19}")

USER_FIELDS = (
    "affiliation,connection_status,created_at,description,entities,id,is_identity_verified,"
    "location,most_recent_tweet_id,name,parody,pinned_tweet_id,profile_banner_url,"
    "profile_image_url,protected,public_metrics,receives_your_dm,subscription,"
    "subscription_type,url,username,verified,verified_followers_count,verified_type,withheld"
).split(",")
TWEET_FIELDS = (
    "article,attachments,author_id,card_uri,community_id,context_annotations,conversation_id,"
    "created_at,display_text_range,edit_controls,edit_history_tweet_ids,entities,geo,id,"
    "in_reply_to_user_id,lang,media_metadata,non_public_metrics,note_tweet,organic_metrics,"
    "possibly_sensitive,promoted_metrics,public_metrics,referenced_tweets,reply_settings,"
    "scopes,source,text,withheld"
).split(",")
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"


class XError(Exception):
    def __init__(self, status: int, body: dict) -> None:
        super().__init__(json.dumps(body))
        self.status = status
        self.body = body


def invalid_request(parameter: str, value: str, message: str) -> XError:
    return XError(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": INVALID_REQUEST,
        },
    )


def _problem(status: int, title: str, detail: str | None = None) -> dict:
    return {"title": title, "detail": detail or title, "type": "about:blank", "status": status}


def _not_found(parameter: str, value: str) -> dict:
    detail = f"Could not find user with {parameter}: [{value}]."
    return {
        "value": value,
        "detail": detail,
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": NOT_FOUND,
    }


def _rate_headers(remaining: int, reset_in_seconds: int) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(RATE_LIMIT),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(math.ceil(time.time()) + reset_in_seconds),
    }


def _rate_limited(spec: FaultSpec) -> Response:
    body = {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
    headers = _rate_headers(0, max(1, spec.retry_after))
    return JSONResponse(body, status_code=429, headers=headers)


def _server_error(spec: FaultSpec) -> Response:
    status = spec.status or 500
    titles = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return JSONResponse(_problem(status, titles.get(status, "Server Error")), status_code=status)


RESPONDERS = faults.Responders(rate_limited=_rate_limited, server_error=_server_error)


# --- parameters -----------------------------------------------------------------------------


def _requested(request: Request, parameter: str, allowed: list[str]) -> list[str]:
    value = request.query_params.get(parameter)
    if not value:
        return []
    names = value.split(",")
    for name in names:
        if name not in allowed:
            raise invalid_request(
                parameter,
                name,
                f"The `{parameter}` query parameter value [{name}] is not one of "
                f"[{','.join(allowed)}]",
            )
    return names


def _time_parameter(request: Request, name: str) -> dt.datetime | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in value:
        raise invalid_request(
            name, value, f"Invalid '{name}':'{value}'. '{name}' must be a valid RFC3339 date-time"
        )
    return moment.astimezone(UTC)


def _max_results(request: Request) -> int:
    value = request.query_params.get("max_results")
    if value is None:
        return DEFAULT_MAX_RESULTS
    low, high = MAX_RESULTS_RANGE
    if not value.isdigit() or not low <= int(value) <= high:
        raise invalid_request(
            "max_results",
            value,
            f"The `max_results` query parameter value [{value}] is not between {low} and {high}",
        )
    return int(value)


def _encode_token(direction: str, key: PostKey) -> str:
    raw = json.dumps({"d": direction, "k": key_to_json(key)}, separators=(",", ":")).encode()
    return base64.b32encode(raw).decode().rstrip("=").lower()


def _decode_token(token: str) -> tuple[str, PostKey]:
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
        payload = json.loads(raw)
        if payload.get("d") not in ("older", "newer"):
            raise InvalidCursor(token)
        return payload["d"], key_from_json(payload.get("k"))
    except (binascii.Error, ValueError, AttributeError) as exc:
        raise invalid_request(
            "pagination_token",
            token,
            f"The `pagination_token` query parameter value [{token}] is not valid",
        ) from exc


# --- objects --------------------------------------------------------------------------------


async def _user(store: Store, account: Account, fields: list[str]) -> dict:
    user: dict = {"id": account.external_id, "name": account.name, "username": account.handle}
    for name in fields:
        if name == "created_at":
            user["created_at"] = x_time(account.created_at)
        elif name == "verified":
            user["verified"] = account.verified
        elif name == "verified_type":
            user["verified_type"] = account.verified_type or (
                "blue" if account.verified else "none"
            )
        elif name == "protected":
            user["protected"] = False
        elif name == "description":
            user["description"] = ""
        elif name == "public_metrics":
            share = stable_fraction("x-following", account.external_id)
            user["public_metrics"] = {
                "followers_count": account.followers,
                "following_count": 20 + round(480 * share),
                "tweet_count": await store.post_count(account),
                "listed_count": round(account.followers / 200),
            }
    return user


def _tweet(account: Account, post: Post, fields: list[str]) -> dict:
    tweet = {"id": post.post_id, "text": post.text, "edit_history_tweet_ids": [post.post_id]}
    if "created_at" in fields:
        tweet["created_at"] = x_time(post.created_at)
    if "author_id" in fields:
        tweet["author_id"] = account.external_id
    if "conversation_id" in fields:
        tweet["conversation_id"] = post.post_id
    return tweet


# --- endpoints ------------------------------------------------------------------------------


async def _answer(request: Request, build: Callable[[], Awaitable[dict]]) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return JSONResponse(_problem(401, "Unauthorized"), status_code=401)
    try:
        body = await build()
    except XError as error:
        return JSONResponse(error.body, status_code=error.status)
    return JSONResponse(body, headers=_rate_headers(RATE_LIMIT - 1, 900))


def _serve(request: Request, build: Callable[[], Awaitable[dict]]) -> Awaitable[Response]:
    return faults.serve(request, "x", lambda: _answer(request, build), RESPONDERS)


async def _account_by_id(store: Store, user_id: str) -> Account | None:
    if not USER_ID.fullmatch(user_id):
        raise invalid_request(
            "id", user_id, f"The `id` query parameter value [{user_id}] is not valid"
        )
    account = await store.account_by_id("x", [user_id])
    return account if account is not None and not account.deleted else None


@router.get("/2/users/by/username/{username}")
async def user_by_username(request: Request, username: str) -> Response:
    async def build() -> dict:
        if not USERNAME.fullmatch(username):
            raise invalid_request(
                "username",
                username,
                f"The `username` query parameter value [{username}] does not match "
                "^[A-Za-z0-9_]{1,15}$",
            )
        fields = _requested(request, "user.fields", USER_FIELDS)
        store = runtime(request).store
        account = await store.account_by_handle("x", username)
        if account is None or account.deleted:
            return {"errors": [_not_found("username", username)]}
        return {"data": await _user(store, account, fields)}

    return await _serve(request, build)


@router.get("/2/users/by")
async def users_by_usernames(request: Request) -> Response:
    async def build() -> dict:
        usernames = [name for name in request.query_params.get("usernames", "").split(",") if name]
        if not usernames:
            raise invalid_request(
                "usernames", "", "The `usernames` query parameter can not be empty"
            )
        fields = _requested(request, "user.fields", USER_FIELDS)
        store = runtime(request).store
        found, errors = [], []
        for username in usernames[:100]:
            account = await store.account_by_handle("x", username)
            if account is None or account.deleted:
                errors.append(_not_found("usernames", username))
            else:
                found.append(await _user(store, account, fields))
        body: dict = {}
        if found:
            body["data"] = found
        if errors:
            body["errors"] = errors
        return body

    return await _serve(request, build)


@router.get("/2/users/{user_id}")
async def user_by_id(request: Request, user_id: str) -> Response:
    async def build() -> dict:
        fields = _requested(request, "user.fields", USER_FIELDS)
        store = runtime(request).store
        account = await _account_by_id(store, user_id)
        if account is None:
            return {"errors": [_not_found("id", user_id)]}
        return {"data": await _user(store, account, fields)}

    return await _serve(request, build)


@router.get("/2/users/{user_id}/tweets")
async def user_tweets(request: Request, user_id: str) -> Response:
    async def build() -> dict:
        store = runtime(request).store
        fields = _requested(request, "tweet.fields", TWEET_FIELDS)
        start_time = _time_parameter(request, "start_time")
        end_time = _time_parameter(request, "end_time")
        if start_time and end_time and end_time <= start_time:
            value = request.query_params["end_time"]
            raise invalid_request(
                "end_time",
                value,
                f"Invalid 'end_time':'{value}'. 'end_time' must be a minimum of 10 ms after "
                "the 'start_time'",
            )
        max_results = _max_results(request)
        token = request.query_params.get("pagination_token")
        direction, key = _decode_token(token) if token else (None, None)
        account = await _account_by_id(store, user_id)
        if account is None:
            return {"errors": [_not_found("id", user_id)]}
        posts = await store.posts(account, start_time, end_time)
        page = newest_first(
            posts,
            max_results,
            older_than=key if direction == "older" else None,
            newer_than=key if direction == "newer" else None,
        )
        if not page.posts:
            return {"meta": {"result_count": 0}}
        meta: dict = {
            "result_count": len(page.posts),
            "newest_id": page.posts[0].post_id,
            "oldest_id": page.posts[-1].post_id,
        }
        if page.has_older:
            meta["next_token"] = _encode_token("older", page.posts[-1].key)
        if page.has_newer:
            meta["previous_token"] = _encode_token("newer", page.posts[0].key)
        return {"data": [_tweet(account, post, fields) for post in page.posts], "meta": meta}

    return await _serve(request, build)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
async def x_unknown_path(request: Request, rest: str) -> Response:
    async def produce() -> Response:
        return JSONResponse(
            {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]},
            status_code=404,
        )

    return await faults.serve(request, "x", produce, RESPONDERS)
