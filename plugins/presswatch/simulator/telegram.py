"""Telegram: the Bot API (real host: https://api.telegram.org) at /telegram, and the public
channel preview pages (real host: https://t.me) at /tme.

Bot API: ``/telegram/bot{token}/getChat?chat_id=@handle`` and ``.../getChatMemberCount``, by GET
or POST (query, form or JSON parameters), method names case-insensitive, answers in
``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": ..., "description": ...}``.

t.me: ``/tme/s/{channel}[?before=ID|after=ID]`` is the HTML of the channel's preview, 20
messages a page, newest last; the "more" link on top (``data-before``) leads to older messages
and is absent on the page holding the oldest. The channel header carries the subscriber count
and, for a verified channel (``sim.account.verified``), the ``verified-icon`` badge after its
name. Links in the page are relative, as t.me's are, so that resolving them against the page URL
stays inside the simulator.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from presswatch.simulator import faults
from presswatch.simulator.runtime import FaultSpec, runtime
from presswatch.simulator.store import Account, Post, Store
from presswatch.simulator.wire import compact_count, iso_seconds, stable_fraction

bot_router = APIRouter(prefix="/telegram")
tme_router = APIRouter(prefix="/tme")

BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
CHANNEL_ID_PREFIX = "-100"
MESSAGES_PER_PAGE = 20
CHANNEL_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")


class BotApiError(Exception):
    def __init__(self, error_code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def response(self) -> JSONResponse:
        body: dict = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters is not None:
            body["parameters"] = self.parameters
        return JSONResponse(body, status_code=self.error_code)


def _bot_rate_limited(spec: FaultSpec) -> Response:
    seconds = spec.retry_after
    return BotApiError(
        429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
    ).response()


def _bot_server_error(spec: FaultSpec) -> Response:
    status = spec.status or 500
    if status == 500:
        return BotApiError(500, "Internal Server Error").response()
    return faults.gateway_error_page(status)


BOT_RESPONDERS = faults.Responders(rate_limited=_bot_rate_limited, server_error=_bot_server_error)


def _tme_rate_limited(spec: FaultSpec) -> Response:
    return HTMLResponse(
        "<html><head><title>429 Too Many Requests</title></head><body><center>"
        "<h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>",
        status_code=429,
        headers={"Retry-After": str(spec.retry_after)},
    )


def _tme_server_error(spec: FaultSpec) -> Response:
    return faults.gateway_error_page(spec.status or 500)


TME_RESPONDERS = faults.Responders(rate_limited=_tme_rate_limited, server_error=_tme_server_error)


def chat_id(account: Account) -> int:
    """A channel's Bot API id (``-100`` then the channel id), however the world stores it."""
    if account.external_id.startswith("-"):
        return int(account.external_id)
    return int(CHANNEL_ID_PREFIX + account.external_id)


def message_number(post: Post) -> int:
    """Tolerates ``channel/123`` as well as ``123``: message numbers repeat across channels."""
    return int(post.post_id.rsplit("/", 1)[-1])


# --- Bot API --------------------------------------------------------------------------------


async def _bot_parameters(request: Request) -> dict[str, str]:
    parameters = dict(request.query_params)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError as exc:
                raise BotApiError(400, "Bad Request: can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise BotApiError(400, "Bad Request: can't parse JSON object")
            parameters.update({key: str(value) for key, value in body.items()})
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            parameters.update({key: str(value) for key, value in form.items()})
    return parameters


async def _chat(store: Store, parameters: dict[str, str]) -> Account:
    requested = parameters.get("chat_id", "").strip()
    if not requested:
        raise BotApiError(400, "Bad Request: chat_id is empty")
    if requested.startswith("@"):
        account = await store.account_by_handle("telegram", requested[1:])
    elif re.fullmatch(r"-?[0-9]+", requested):
        spellings = [requested]
        if requested.startswith(CHANNEL_ID_PREFIX):
            spellings.append(requested.removeprefix(CHANNEL_ID_PREFIX))
        account = await store.account_by_id("telegram", spellings)
    else:
        account = None
    if account is None or account.deleted:
        raise BotApiError(400, "Bad Request: chat not found")
    return account


async def _get_chat(store: Store, parameters: dict[str, str]) -> object:
    account = await _chat(store, parameters)
    return {
        "id": chat_id(account),
        "type": "channel",
        "title": account.name,
        "username": account.handle,
        "description": f"{account.name}: rasmiy kanal",
        "accent_color_id": round(6 * stable_fraction("accent", account.external_id)),
        "max_reaction_count": 11,
    }


async def _get_chat_member_count(store: Store, parameters: dict[str, str]) -> object:
    account = await _chat(store, parameters)
    return account.followers


async def _get_me(store: Store, parameters: dict[str, str]) -> object:
    return {
        "id": 7000000001,
        "is_bot": True,
        "first_name": "Presswatch",
        "username": "presswatch_bot",
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


BOT_METHODS: dict[str, Callable[[Store, dict[str, str]], Awaitable[object]]] = {
    "getchat": _get_chat,
    "getchatmembercount": _get_chat_member_count,
    "getchatmemberscount": _get_chat_member_count,  # the deprecated spelling still answers
    "getme": _get_me,
}


@bot_router.api_route("/bot{token}/{method}", methods=["GET", "POST"])
async def bot_method(request: Request, token: str, method: str) -> Response:
    async def produce() -> Response:
        handler = BOT_METHODS.get(method.lower())
        if not BOT_TOKEN.fullmatch(token) or handler is None:
            return BotApiError(404, "Not Found").response()
        try:
            parameters = await _bot_parameters(request)
            result = await handler(runtime(request).store, parameters)
        except BotApiError as error:
            return error.response()
        return JSONResponse({"ok": True, "result": result})

    return await faults.serve(request, "telegram", produce, BOT_RESPONDERS)


@bot_router.api_route("/{rest:path}", methods=["GET", "POST"])
async def bot_unknown_path(request: Request, rest: str) -> Response:
    async def produce() -> Response:
        return BotApiError(404, "Not Found").response()

    return await faults.serve(request, "telegram", produce, BOT_RESPONDERS)


# --- t.me -----------------------------------------------------------------------------------


def _message_html(account: Account, post: Post) -> str:
    number = message_number(post)
    channel = html.escape(account.handle)
    name = html.escape(account.name)
    views = round(account.followers * (0.05 + 0.3 * stable_fraction("views", post.post_id)))
    text = ""
    if post.text:
        escaped = html.escape(post.text).replace("\r\n", "\n").replace("\n", "<br/>")
        text = f'<div class="tgme_widget_message_text js-message_text" dir="auto">{escaped}</div>\n'
    return f"""<div class="tgme_widget_message_wrap js-widget_message_wrap">
 <div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{channel}/{number}" data-view="{html.escape(f"sim{number}")}">
  <div class="tgme_widget_message_user"><a href="https://t.me/{channel}"><i class="tgme_widget_message_user_photo bgcolor0" data-content="{name[:1]}"></i></a></div>
  <div class="tgme_widget_message_bubble">
   <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/{channel}"><span dir="auto">{name}</span></a></div>
   {text}<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info">
    <span class="tgme_widget_message_views">{compact_count(views)}</span><span class="copyonly"> views</span>
    <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/{channel}/{number}"><time datetime="{iso_seconds(post.created_at)}" class="time">{post.created_at.strftime("%H:%M")}</time></a></span>
   </div></div>
  </div>
 </div>
</div>
"""


# What t.me puts after a verified channel's name in the header (nothing for the others).
VERIFIED_BADGE = (
    '<i class="verified-icon"><svg class="verified-icon-svg" width="24" height="24"'
    ' viewBox="0 0 24 24"><path fill="#1c93e3" d="M12 1.5 14.6 4l3.5-.5.6 3.5 3.1 1.7-1.5'
    " 3.3 1.5 3.3-3.1 1.7-.6 3.5-3.5-.5L12 22.5 9.4 20l-3.5.5-.6-3.5-3.1-1.7L3.7 12 2.2 8.7"
    ' 5.3 7l.6-3.5 3.5.5z"/><path fill="#fff" d="m10.5 15.6-3.4-3.4 1.4-1.4 2 2 5-5 1.4 1.4z"/>'
    "</svg></i>"
)


def _more_link(prefix: str, channel: str, direction: str, number: int) -> str:
    return (
        '<div class="tgme_widget_message_centered js-messages_more_wrap">'
        f'<a href="{prefix}/s/{channel}?{direction}={number}" '
        f'class="tme_messages_more js-messages_more" data-{direction}="{number}"></a></div>\n'
    )


def _channel_page(
    prefix: str, account: Account, page: list[Post], has_older: bool, has_newer: bool
) -> str:
    channel = html.escape(account.handle)
    name = html.escape(account.name)
    history = []
    if has_older:
        history.append(_more_link(prefix, channel, "before", message_number(page[0])))
    history.extend(_message_html(account, post) for post in page)
    if has_newer:
        history.append(_more_link(prefix, channel, "after", message_number(page[-1])))
    messages = "".join(history)
    badge = VERIFIED_BADGE if account.verified else ""
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{name} – Telegram</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="og:title" content="{name}">
<meta property="og:site_name" content="Telegram">
<link rel="canonical" href="https://t.me/s/{channel}">
</head>
<body class="widget_frame_base tgme_webpage_body">
<main class="tgme_main">
<div class="tgme_container">
<section class="tgme_right_column">
<div class="tgme_channel_info">
 <div class="tgme_channel_info_header">
  <div class="tgme_channel_info_header_title"><span dir="auto">{name}</span>{badge}</div>
  <div class="tgme_channel_info_header_username"><a href="https://t.me/{channel}">@{channel}</a></div>
 </div>
 <div class="tgme_channel_info_counters">
  <div class="tgme_channel_info_counter"><span class="counter_value">{compact_count(account.followers)}</span> <span class="counter_type">subscribers</span></div>
 </div>
</div>
</section>
<section class="tgme_channel_history js-message_history">
{messages}</section>
</div>
</main>
</body>
</html>
"""


def _contact_page(channel: str) -> str:
    """What t.me shows for a name without a public preview (or without any channel)."""
    escaped = html.escape(channel)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Telegram: Contact @{escaped}</title>
</head>
<body class="tgme_webpage_body">
<div class="tgme_page_wrap"><div class="tgme_page">
 <div class="tgme_page_title"><span dir="auto">@{escaped}</span></div>
 <div class="tgme_page_description">If you have <strong>Telegram</strong>, you can contact <a class="tgme_username_link" href="tg://resolve?domain={escaped}">@{escaped}</a> right away.</div>
</div></div>
</body>
</html>
"""


def _message_bound(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    return int(value) if value is not None and value.isdigit() else None


def _prefix(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/tme"


async def _channel(store: Store, channel: str) -> Account | None:
    if not CHANNEL_NAME.fullmatch(channel):
        return None
    account = await store.account_by_handle("telegram", channel)
    return account if account is not None and not account.deleted else None


@tme_router.get("/s/{channel}")
async def channel_preview(request: Request, channel: str) -> Response:
    async def produce() -> Response:
        store = runtime(request).store
        account = await _channel(store, channel)
        if account is None:
            # t.me sends a name without a preview to its contact page.
            return RedirectResponse(f"{_prefix(request)}/{quote(channel)}", status_code=302)
        messages = sorted(await store.posts(account), key=message_number)  # oldest first
        before = _message_bound(request, "before")
        after = _message_bound(request, "after")
        if after is not None and before is None:
            newer = [post for post in messages if message_number(post) > after]
            page = newer[:MESSAGES_PER_PAGE]
        else:
            older = [post for post in messages if before is None or message_number(post) < before]
            page = older[-MESSAGES_PER_PAGE:]
        has_older = bool(page) and message_number(page[0]) > message_number(messages[0])
        has_newer = bool(page) and message_number(page[-1]) < message_number(messages[-1])
        body = _channel_page(_prefix(request), account, page, has_older, has_newer)
        return HTMLResponse(body)

    return await faults.serve(request, "tme", produce, TME_RESPONDERS)


@tme_router.get("/{channel}")
async def channel_contact_page(request: Request, channel: str) -> Response:
    async def produce() -> Response:
        return HTMLResponse(_contact_page(channel))

    return await faults.serve(request, "tme", produce, TME_RESPONDERS)
