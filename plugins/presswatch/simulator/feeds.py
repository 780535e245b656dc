"""News sites' RSS 2.0 and Atom 1.0 feeds (real hosts: the sites), at /feeds/{host}{path}.

``GET /feeds/kun.uz/ru/news/rss`` stands for ``GET https://kun.uz/ru/news/rss`` (the query
string, if any, is ignored). The feed is generated from ``sim.feed_item``: the latest
``item_limit`` items, newest first, as sites publish them; every text is escaped as XML wants
(a title holding HTML arrives as escaped HTML, as it does from many sites), the full text in
``<content:encoded>`` as CDATA. Missing elements (NULL) are left out; ``pub_date`` is written
as stored, so a test can serve a date without a zone or one that is not a date.

Conditional GET as web servers do it: every answer has an ``ETag`` (a hash of the body) and a
``Last-Modified`` (the newest item's ``listed_at``); ``If-None-Match`` with that tag, or, when
there is none, ``If-Modified-Since`` not before it, is answered ``304 Not Modified``.

A feed with ``raw_body`` is served verbatim with its ``raw_status`` and ``raw_content_type``
(an HTML error page with 200, a cut-off file...). An unknown feed is an nginx 404 page; rate
limits are 429 with ``Retry-After``, server errors the gateway's page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from presswatch.simulator import faults
from presswatch.simulator.runtime import FaultSpec, runtime
from presswatch.simulator.store import Feed, FeedItem
from presswatch.simulator.wire import UTC

router = APIRouter(prefix="/feeds")

MEDIA_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}
MAX_AGE_SECONDS = 300


def _nginx_page(status: int, reason: str) -> str:
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def _rate_limited(spec: FaultSpec) -> Response:
    return HTMLResponse(
        _nginx_page(429, "Too Many Requests"),
        status_code=429,
        headers={"Retry-After": str(spec.retry_after)},
    )


def _server_error(spec: FaultSpec) -> Response:
    return faults.gateway_error_page(spec.status or 502)


RESPONDERS = faults.Responders(rate_limited=_rate_limited, server_error=_server_error)


# --- rendering ------------------------------------------------------------------------------


def _element(name: str, value: str | None, attributes: str = "") -> str:
    if value is None:
        return ""
    return f"<{name}{attributes}>{escape(value)}</{name}>"


def _cdata(name: str, value: str | None) -> str:
    if value is None:
        return ""
    if "]]>" in value:  # would end the section early: escape instead
        return _element(name, value)
    return f"<{name}><![CDATA[{value}]]></{name}>"


def _rfc822(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _feed_url(feed: Feed) -> str:
    return f"https://{feed.host}{feed.path}"


def render_rss(feed: Feed, items: list[FeedItem]) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
        _element("title", feed.title),
        _element("link", f"https://{feed.host}/"),
        _element("description", feed.title),
        _element("language", feed.language),
        _element("lastBuildDate", _rfc822(items[0].listed_at) if items else None),
        f'<atom:link href={quoteattr(_feed_url(feed))} rel="self" type="application/rss+xml"/>\n',
    ]
    for item in items:
        permalink = "true" if item.guid is not None and item.guid == item.link else "false"
        parts += [
            "<item>",
            _element("title", item.title),
            _element("link", item.link),
            _element("guid", item.guid, f' isPermaLink="{permalink}"'),
            _element("pubDate", item.pub_date),
            _element("description", item.description),
            _cdata("content:encoded", item.body),
            "</item>\n",
        ]
    parts.append("</channel>\n</rss>\n")
    return "".join(parts)


def render_atom(feed: Feed, items: list[FeedItem]) -> str:
    lang = f" xml:lang={quoteattr(feed.language)}" if feed.language else ""
    updated = _rfc3339(items[0].listed_at) if items else "1970-01-01T00:00:00Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed xmlns="http://www.w3.org/2005/Atom"{lang}>\n',
        _element("title", feed.title),
        _element("id", _feed_url(feed)),
        f'<link rel="self" href={quoteattr(_feed_url(feed))}/>',
        f'<link rel="alternate" href={quoteattr(f"https://{feed.host}/")}/>',
        _element("updated", updated),
        "\n",
    ]
    for item in items:
        link = "" if item.link is None else f'<link rel="alternate" href={quoteattr(item.link)}/>'
        parts += [
            "<entry>",
            _element("id", item.guid),
            _element("title", item.title, ' type="html"'),
            link,
            _element("published", item.pub_date),
            _element("updated", item.pub_date),
            _element("summary", item.description, ' type="html"'),
            _element("content", item.body, ' type="html"'),
            "</entry>\n",
        ]
    parts.append("</feed>\n")
    return "".join(parts)


# --- conditional GET ------------------------------------------------------------------------

_ENTITY_TAG = re.compile(r'(?:W/)?("[^"]*")')


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    # GET compares weakly: W/"x" matches "x".
    return etag in _ENTITY_TAG.findall(if_none_match)


def _not_modified_since(if_modified_since: str, last_modified: dt.datetime | None) -> bool:
    if last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as servers do
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


def _is_not_modified(request: Request, etag: str, last_modified: dt.datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # it wins over If-Modified-Since (RFC 9110, 13.1.3)
        return _matches(if_none_match, etag)
    if_modified_since = request.headers.get("if-modified-since")
    return if_modified_since is not None and _not_modified_since(if_modified_since, last_modified)


# --- endpoint -------------------------------------------------------------------------------


async def _answer(request: Request, host: str, path: str) -> Response:
    store = runtime(request).store
    feed = await store.feed(host, path)
    if feed is None:
        return HTMLResponse(_nginx_page(404, "Not Found"), status_code=404)
    if feed.raw_body is not None:
        return Response(
            feed.raw_body.encode("utf-8"),
            status_code=feed.raw_status,
            media_type=feed.raw_content_type,
        )
    items = await store.feed_items(feed)
    render = render_atom if feed.format == "atom" else render_rss
    body = render(feed, items).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    last_modified = items[0].listed_at if items else None
    headers = {"ETag": etag, "Cache-Control": f"max-age={MAX_AGE_SECONDS}"}
    if last_modified is not None:
        headers["Last-Modified"] = _rfc822(last_modified)
    if _is_not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPES[feed.format], headers=headers)


@router.get("/{host}/{path:path}")
async def feed(request: Request, host: str, path: str) -> Response:
    return await faults.serve(
        request, "feeds", lambda: _answer(request, host, "/" + path), RESPONDERS
    )
