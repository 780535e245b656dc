"""Telegram channels: the id and member count from the Bot API; whether the channel is verified
and its posts from the public preview ``t.me/s/{channel}``.

The Bot API does not say whether a channel is verified; the preview's header does, with a
``verified-icon`` badge after the channel's name (``div.tgme_channel_info_header_title``), so
``facts`` reads the preview's first page too.

The preview is HTML, read with BeautifulSoup (on the standard library's tolerant
``html.parser``) and CSS selectors. A page counts as complete only when its ``</html>``
arrived: a cut-off page is retried like a malformed JSON body.
Older pages: ``?before=<smallest id on the page>`` until a page reaches back before ``since``
or has no "more" link.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from bs4 import BeautifulSoup, Tag

from presswatch.connectors.base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_PAGES,
    AccountError,
    AccountFacts,
    FetchResult,
    HttpClient,
    Malformed,
    PostCollector,
    PostRecord,
    RetryLater,
    connection_settings,
    excerpt,
    header_wait,
    json_body,
    parse_time,
    server_error,
)

CONN_ID = "presswatch_telegram"
TME_CONN_ID = "presswatch_tme"
CHANNEL = re.compile(r"[A-Za-z0-9_]{1,64}")


# --- t.me preview parsing ---------------------------------------------------------------------

END_OF_DOCUMENT = re.compile(r"</html\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class RawMessage:
    data_post: str
    datetime: str | None
    text: str
    permalink: str | None

    def as_payload(self) -> dict:
        return {
            "data-post": self.data_post,
            "datetime": self.datetime,
            "text": self.text,
            "permalink": self.permalink,
        }


@dataclass(frozen=True)
class Preview:
    """What a ``t.me/s/`` page holds: its messages (``div.tgme_widget_message[data-post]``), the
    "more" link's ``data-before``, whether the history section was there and whether the
    document ended; whether the channel header (``div.tgme_channel_info_header_title``) was
    there and held the verified badge."""

    messages: list[RawMessage]
    before: str | None
    has_history: bool
    has_header: bool
    verified: bool
    complete: bool


def _attribute(node: Tag | None, name: str) -> str | None:
    value = node.get(name) if node is not None else None
    return value if isinstance(value, str) and value else None


def _message(node: Tag) -> RawMessage:
    text = node.select_one("div.js-message_text")
    if text is not None:
        for line_break in text.find_all("br"):
            line_break.replace_with("\n")
    return RawMessage(
        data_post=_attribute(node, "data-post") or "",
        datetime=_attribute(node.find("time"), "datetime"),
        text=text.get_text() if text is not None else "",
        permalink=_attribute(node.select_one("a.tgme_widget_message_date"), "href"),
    )


def parse_preview(html: str) -> Preview:
    soup = BeautifulSoup(html, "html.parser")
    header = soup.select_one("div.tgme_channel_info_header_title")
    return Preview(
        messages=[_message(node) for node in soup.select("div.tgme_widget_message[data-post]")],
        before=_attribute(soup.select_one("a.tme_messages_more"), "data-before"),
        has_history=soup.select_one("section.tgme_channel_history") is not None,
        has_header=header is not None,
        verified=header is not None and header.select_one(".verified-icon") is not None,
        complete=END_OF_DOCUMENT.search(html) is not None,
    )


# --- the connector ----------------------------------------------------------------------------


class TelegramConnector:
    platform = "telegram"

    def __init__(
        self,
        base_url: str,
        credential: str,
        *,
        tme_base_url: str = "https://t.me",
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.token = credential
        self.bot = HttpClient(
            "telegram",
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
            redact=(credential,),
        )
        self.tme = HttpClient(
            "tme", tme_base_url, timeout=timeout, max_retries=max_retries, sleep=sleep
        )

    @classmethod
    def from_airflow(
        cls, conn_id: str = CONN_ID, tme_conn_id: str = TME_CONN_ID, **kwargs: Any
    ) -> TelegramConnector:
        bot = connection_settings(conn_id)
        tme = connection_settings(tme_conn_id)
        return cls(bot.base_url, bot.credential, tme_base_url=tme.base_url, **kwargs)

    def close(self) -> None:
        self.bot.close()
        self.tme.close()

    # --- Bot API ---

    def _bot_check(self, response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is False:
            code = body.get("error_code", response.status_code)
            description = body.get("description") or "error"
            parameters = body.get("parameters")
            if code == 429 or response.status_code == 429:
                wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
                if not isinstance(wait, int | float):
                    wait = header_wait(response)
                raise RetryLater(description, wait, rate_limited=True)
            if isinstance(code, int) and code >= 500:
                raise RetryLater(description)
            if code in (401, 404):
                raise AccountError(f"telegram: the bot token was refused ({code}: {description})")
            raise AccountError(f"telegram: {description}")
        server_error(response)
        if response.status_code == 429:
            raise RetryLater("too many requests", header_wait(response), rate_limited=True)
        if response.status_code >= 400:
            raise AccountError(f"telegram: HTTP {response.status_code} {response.reason}")

    def _bot(self, method: str, chat: str, valid: Callable[[Any], bool]) -> Any:
        def parse(response: requests.Response) -> Any:
            body = json_body(response)
            if not isinstance(body, dict) or body.get("ok") is not True or "result" not in body:
                raise Malformed("not an {ok: true, result} answer")
            if not valid(body["result"]):
                raise Malformed(f"unexpected {method} result")
            return body["result"]

        url = self.bot.url(f"/bot{self.token}/{method}")
        return self.bot.fetch(url, {"chat_id": chat}, self._bot_check, parse)

    def facts(self, handle: str) -> AccountFacts:
        """The id and member count from the Bot API; verified from the preview's header."""
        channel = _channel(handle)
        chat = self._bot("getChat", f"@{channel}", lambda r: isinstance(r, dict) and "id" in r)
        count = self._bot(
            "getChatMemberCount", f"@{channel}", lambda r: isinstance(r, int) and r >= 0
        )
        return AccountFacts(
            external_id=str(chat["id"]),
            verified=self._verified(channel),
            verified_type=None,  # the badge has no kinds
            followers=count,
        )

    # --- t.me preview ---

    def _tme_check(self, response: requests.Response) -> None:
        if response.status_code == 429:
            raise RetryLater("too many requests", header_wait(response), rate_limited=True)
        server_error(response)
        if response.status_code >= 400:
            raise AccountError(f"tme: HTTP {response.status_code} {response.reason}")

    def _verified(self, channel: str) -> bool | None:
        """Whether the preview's header shows the verified badge; None when the channel has no
        public preview (t.me sends it to its contact page), which then cannot say."""

        def parse(response: requests.Response) -> bool | None:
            preview = _complete_preview(response)
            if not preview.has_history:
                return None
            if not preview.has_header:
                raise Malformed("no channel header (div.tgme_channel_info_header_title)")
            return preview.verified

        return self.tme.fetch(self.tme.url(f"/s/{channel}"), None, self._tme_check, parse)

    def _page(self, channel: str, before: str | None) -> Preview:
        def parse(response: requests.Response) -> Preview:
            preview = _complete_preview(response)
            if not preview.has_history:
                # t.me sends a name without a public preview to its contact page.
                raise AccountError(f"tme: @{channel} has no public channel preview")
            return preview

        params = {"before": before} if before else None
        return self.tme.fetch(self.tme.url(f"/s/{channel}"), params, self._tme_check, parse)

    def posts(
        self,
        handle: str,
        since: dt.datetime,
        until: dt.datetime,
        *,
        newest_seen_id: str | None = None,
    ) -> FetchResult:
        """Messages with ``since <= date < until``; ids are the message numbers."""
        channel = _channel(handle)
        collector = PostCollector(since, until, newest_seen_id)
        source = f"telegram:/s/{channel}"
        before: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self._page(channel, before)
            numbers: list[int] = []
            oldest: dt.datetime | None = None
            for message in page.messages:
                post, number = self._post(channel, message, source, collector)
                if number is not None:
                    numbers.append(number)
                if post is not None:
                    collector.add(post)
                    oldest = post.posted_at if oldest is None else min(oldest, post.posted_at)
            if not numbers or page.before is None:
                break
            if oldest is not None and oldest < collector.since:
                break
            before = str(min(numbers))
            if before in seen:
                break
            seen.add(before)
        return collector.finish()

    def _post(
        self, channel: str, message: RawMessage, source: str, collector: PostCollector
    ) -> tuple[PostRecord | None, int | None]:
        number_text = message.data_post.rsplit("/", 1)[-1]
        if not number_text.isdigit():
            collector.quarantine(source, "message with a bad data-post", message.as_payload())
            return None, None
        number = int(number_text)
        try:
            posted_at = parse_time(message.datetime)
        except ValueError:
            collector.quarantine(
                source, f"message {number}: missing or bad time[datetime]", message.as_payload()
            )
            return None, number
        permalink = message.permalink
        if not (permalink or "").startswith(("https://", "http://")):
            permalink = f"https://t.me/{channel}/{number}"
        return (
            PostRecord(
                platform_post_id=str(number),
                posted_at=posted_at,
                permalink=permalink,
                text_excerpt=excerpt(message.text),
            ),
            number,
        )


def _complete_preview(response: requests.Response) -> Preview:
    preview = parse_preview(response.text)
    if not preview.complete:
        raise Malformed("the page ends before </html>")
    return preview


def _channel(handle: str) -> str:
    channel = handle.strip().removeprefix("@")
    if not CHANNEL.fullmatch(channel):
        raise AccountError(f"telegram: {handle!r} is not a channel username")
    return channel
