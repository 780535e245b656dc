"""Telegram channels: the id and member count from the Bot API; whether the channel is verified
and its posts from the public preview ``t.me/s/{channel}``.

The Bot API does not say whether a channel is verified; the preview's header does, with a
``verified-icon`` badge after the channel's name (``div.tgme_channel_info_header_title``), so
``facts`` reads the preview's first page too.

The preview is HTML, read with the standard library's ``html.parser.HTMLParser`` (a real,
tolerant HTML tokenizer; BeautifulSoup is not installed). A page counts as complete only when
its ``</html>`` arrived: a cut-off page is retried like a malformed JSON body.
Older pages: ``?before=<smallest id on the page>`` until a page reaches back before ``since``
or has no "more" link.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests

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


@dataclass
class RawMessage:
    data_post: str
    datetime: str | None = None
    text_parts: list[str] = field(default_factory=list)
    permalink: str | None = None

    def as_payload(self) -> dict:
        return {
            "data-post": self.data_post,
            "datetime": self.datetime,
            "text": "".join(self.text_parts),
            "permalink": self.permalink,
        }


class PreviewParser(HTMLParser):
    """Messages (``div.tgme_widget_message[data-post]``), the "more" link's ``data-before``,
    whether the history section was there and whether the document ended; whether the channel
    header (``div.tgme_channel_info_header_title``) was there and held the verified badge."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.messages: list[RawMessage] = []
        self.before: str | None = None
        self.has_history = False
        self.has_header = False
        self.verified = False
        self.complete = False
        self._depth = 0  # open <div>s
        self._header_depth: int | None = None
        self._message_depth: int | None = None
        self._text_depth: int | None = None
        self._in_date_link = False

    @staticmethod
    def _classes(attrs: list[tuple[str, str | None]]) -> set[str]:
        return set((dict(attrs).get("class") or "").split())

    def _badge(self, classes: set[str]) -> None:
        if self._header_depth is not None and "verified-icon" in classes:
            self.verified = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = self._classes(attrs)
        if tag == "section" and "tgme_channel_history" in classes:
            self.has_history = True
        if tag == "br":
            self.handle_startendtag(tag, attrs)
            return
        self._badge(classes)
        if tag == "a" and "tme_messages_more" in classes and values.get("data-before"):
            self.before = values["data-before"]
        current = self.messages[-1] if self._message_depth is not None else None
        if tag == "a" and current is not None and "tgme_widget_message_date" in classes:
            current.permalink = values.get("href")
        if tag == "time" and current is not None and current.datetime is None:
            current.datetime = values.get("datetime")
        if tag != "div":
            return
        self._depth += 1
        if "tgme_channel_info_header_title" in classes and self._header_depth is None:
            self.has_header = True
            self._header_depth = self._depth
        if "tgme_widget_message" in classes and values.get("data-post"):
            self.messages.append(RawMessage(data_post=values["data-post"] or ""))
            self._message_depth = self._depth
        elif current is not None and "js-message_text" in classes and self._text_depth is None:
            self._text_depth = self._depth

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and self._text_depth is not None:
            self.messages[-1].text_parts.append("\n")
        self._badge(self._classes(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "html":
            self.complete = True
        if tag != "div":
            return
        if self._header_depth is not None and self._depth == self._header_depth:
            self._header_depth = None
        if self._text_depth is not None and self._depth == self._text_depth:
            self._text_depth = None
        if self._message_depth is not None and self._depth == self._message_depth:
            self._message_depth = None
            self._text_depth = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._text_depth is not None:
            self.messages[-1].text_parts.append(data)


def parse_preview(html: str) -> PreviewParser:
    parser = PreviewParser()
    parser.feed(html)
    parser.close()
    return parser


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

    def _page(self, channel: str, before: str | None) -> PreviewParser:
        def parse(response: requests.Response) -> PreviewParser:
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
                text_excerpt=excerpt("".join(message.text_parts)),
            ),
            number,
        )


def _complete_preview(response: requests.Response) -> PreviewParser:
    preview = parse_preview(response.text)
    if not preview.complete:
        raise Malformed("the page ends before </html>")
    return preview


def _channel(handle: str) -> str:
    channel = handle.strip().removeprefix("@")
    if not CHANNEL.fullmatch(channel):
        raise AccountError(f"telegram: {handle!r} is not a channel username")
    return channel
