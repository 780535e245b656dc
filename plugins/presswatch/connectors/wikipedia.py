"""Wikipedia articles through the MediaWiki Action API (``https://{lang}.wikipedia.org``).

``check(lang, titles)`` asks ``action=query&prop=info|langlinks&redirects=1&formatversion=2``
for at most 50 titles at a time, follows ``continue`` (``llcontinue``) to the end, and maps every
requested title through ``normalized`` and ``redirects`` to its page. Requests carry
``maxlag=5``, so a lagged database answers a ``maxlag`` error with ``Retry-After``: waited out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests

from presswatch.connectors.base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    HttpClient,
    Malformed,
    PlatformUnavailable,
    RetryLater,
    connection_settings,
    header_wait,
    json_body,
    retry_after_seconds,
    server_error,
)

CONN_ID = "presswatch_wikipedia"
MAX_TITLES = 50
MAX_CONTINUATIONS = 1_000
MAXLAG_SECONDS = 5
LANG = re.compile(r"[a-z][a-z0-9-]{1,15}")


@dataclass(frozen=True)
class WikiPage:
    exists: bool
    resolved_title: str | None  # after normalization and redirects
    pageid: int | None
    langlinks: dict[str, str] = field(default_factory=dict)


class WikipediaConnector:
    platform = "wikipedia"

    def __init__(
        self,
        base_url: str,
        credential: str = "",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Callable[[float], None] = time.sleep,
        langlinks_limit: str = "max",
    ) -> None:
        """``base_url``: a template with ``{lang}``, e.g. ``https://{lang}.wikipedia.org``;
        ``langlinks_limit``: ``lllimit`` (``max`` = 500 langlinks a request)."""
        if "{lang}" not in base_url:
            raise ValueError(f"the Wikipedia base URL needs a {{lang}} placeholder: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.credential = credential  # unused: reading needs no login
        self.timeout = timeout
        self.max_retries = max_retries
        self.sleep = sleep
        self.langlinks_limit = langlinks_limit
        self._clients: dict[str, HttpClient] = {}

    @classmethod
    def from_airflow(cls, conn_id: str = CONN_ID, **kwargs: Any) -> WikipediaConnector:
        settings = connection_settings(conn_id)
        return cls(settings.base_url, settings.credential, **kwargs)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def _client(self, lang: str) -> HttpClient:
        if not LANG.fullmatch(lang):
            raise ValueError(f"not a Wikipedia language code: {lang!r}")
        if lang not in self._clients:
            self._clients[lang] = HttpClient(
                "wikipedia",
                self.base_url.replace("{lang}", lang),
                timeout=self.timeout,
                max_retries=self.max_retries,
                sleep=self.sleep,
            )
        return self._clients[lang]

    @staticmethod
    def _check(response: requests.Response) -> None:
        if response.status_code == 429:
            raise RetryLater("too many requests", header_wait(response), rate_limited=True)
        server_error(response)
        if response.status_code >= 400:
            raise PlatformUnavailable(
                f"wikipedia: HTTP {response.status_code} {response.reason} for {response.url}"
            )

    @staticmethod
    def _parse(response: requests.Response) -> dict:
        body = json_body(response)
        if not isinstance(body, dict):
            raise Malformed("body is not a JSON object")
        error = body.get("error")
        if isinstance(error, dict):
            if error.get("code") == "maxlag":
                wait = header_wait(response)
                if wait is None:
                    wait = retry_after_seconds(str(error.get("lag", "")))
                raise RetryLater(f"maxlag: {error.get('info')}", wait, rate_limited=True)
            raise PlatformUnavailable(
                f"wikipedia: API error {error.get('code')}: {error.get('info')}"
            )
        query = body.get("query", {})
        if not isinstance(query, dict) or not isinstance(query.get("pages", []), list):
            raise Malformed("'query.pages' is not a list (formatversion=2)")
        if "continue" in body and not isinstance(body["continue"], dict):
            raise Malformed("'continue' is not an object")
        return body

    def check(self, lang: str, titles: Iterable[str]) -> dict[str, WikiPage]:
        """Every requested title (as given) with whether its article exists, where it leads,
        its page id and its langlinks (language -> title)."""
        requested = list(dict.fromkeys(title for title in titles))
        client = self._client(lang)
        results: dict[str, WikiPage] = {}
        for start in range(0, len(requested), MAX_TITLES):
            batch = requested[start : start + MAX_TITLES]
            results.update(self._batch(client, batch))
        return results

    def _batch(self, client: HttpClient, titles: list[str]) -> dict[str, WikiPage]:
        base_params = {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "prop": "info|langlinks",
            "lllimit": self.langlinks_limit,
            "redirects": "1",
            "maxlag": str(MAXLAG_SECONDS),
            "titles": "|".join(titles),
        }
        normalized: dict[str, str] = {}
        redirects: dict[str, str] = {}
        pages: dict[str, dict] = {}  # title -> {"pageid", "missing", "langlinks"}
        continuation: dict[str, Any] = {}
        url = client.url("/w/api.php")
        for _ in range(MAX_CONTINUATIONS):
            body = client.fetch(url, {**base_params, **continuation}, self._check, self._parse)
            query = body.get("query", {})
            for entry in query.get("normalized", []) or []:
                if isinstance(entry, dict) and "from" in entry and "to" in entry:
                    normalized[entry["from"]] = entry["to"]
            for entry in query.get("redirects", []) or []:
                if isinstance(entry, dict) and "from" in entry and "to" in entry:
                    redirects[entry["from"]] = entry["to"]
            for page in query.get("pages", []):
                if not isinstance(page, dict) or not isinstance(page.get("title"), str):
                    continue
                known = pages.setdefault(
                    page["title"],
                    {
                        "pageid": page.get("pageid"),
                        "exists": not (page.get("missing") or page.get("invalid")),
                        "langlinks": {},
                    },
                )
                for link in page.get("langlinks", []) or []:
                    if isinstance(link, dict) and "lang" in link:
                        known["langlinks"][link["lang"]] = link.get("title", link.get("*"))
            next_continue = body.get("continue")
            if not next_continue:
                break
            continuation = {key: str(value) for key, value in next_continue.items()}
        else:
            raise PlatformUnavailable(f"wikipedia: continue did not end for {titles[:3]}...")

        results: dict[str, WikiPage] = {}
        for title in titles:
            resolved = normalized.get(title, title)
            hops = 0
            while resolved in redirects and hops < 10:
                resolved = redirects[resolved]
                hops += 1
            page = pages.get(resolved)
            if page is None or not page["exists"]:
                results[title] = WikiPage(False, resolved, None, {})
            else:
                pageid = page["pageid"] if isinstance(page["pageid"], int) else None
                results[title] = WikiPage(True, resolved, pageid, dict(page["langlinks"]))
        return results
