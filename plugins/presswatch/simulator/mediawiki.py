"""MediaWiki's Action API on Wikipedia (real host: https://{lang}.wikipedia.org), at /wiki/{lang}.

``/wiki/{lang}/w/api.php?action=query&format=json&prop=info|langlinks&lllimit=max&redirects=1
&titles=A|B`` by GET or POST, in ``formatversion=2`` (pages as a list, booleans ``true``) or the
default ``formatversion=1`` (pages keyed by id, missing ones by negative ids, booleans ``""``,
langlink titles under ``"*"``). Titles are normalized (underscores to spaces, first letter
capital), redirects followed when ``redirects`` is present, at most 50 titles
(``toomanyvalues`` otherwise). ``lllimit`` counts langlinks over all pages of the request; when
more remain, ``continue.llcontinue`` carries on from there and ``batchcomplete`` is absent.
As MediaWiki does, errors are HTTP 200 with an ``error`` body and a ``MediaWiki-API-Error`` header.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from presswatch.simulator import faults
from presswatch.simulator.runtime import FaultSpec, runtime
from presswatch.simulator.store import WikiLanglink, WikiPage
from presswatch.simulator.wire import UTC, mediawiki_time

router = APIRouter(prefix="/wiki")

LANGUAGES = ("uz", "ru", "en")
MAX_TITLES = 50
HIGH_MAX_TITLES = 500  # for bots; reported in the error as MediaWiki does
LANGLINKS_DEFAULT_LIMIT = 10
LANGLINKS_MAX_LIMIT = 500
ILLEGAL_TITLE_CHARACTERS = "<>[]{}|"
SERVED_BY = "mw-api-ext.sim"
ERROR_HEADER = "MediaWiki-API-Error"


class MediaWikiError(Exception):
    def __init__(self, code: str, info: str, **extra: object) -> None:
        super().__init__(info)
        self.code = code
        self.info = info
        self.extra = extra

    def response(self, lang: str, formatversion2: bool, headers: dict | None = None) -> Response:
        docref = (
            f"See https://{lang}.wikipedia.org/w/api.php for API usage. Subscribe to the "
            "mediawiki-api-announce mailing list at &lt;https://lists.wikimedia.org/postorius/"
            "lists/mediawiki-api-announce.lists.wikimedia.org/&gt; for notice of API "
            "deprecations and breaking changes."
        )
        error = {"code": self.code, "info": self.info, **self.extra}
        error["docref" if formatversion2 else "*"] = docref
        return JSONResponse(
            {"error": error, "servedby": SERVED_BY},
            headers={ERROR_HEADER: self.code, **(headers or {})},
        )


def _rate_limited(spec: FaultSpec) -> Response:
    if spec.variant == "maxlag":
        lag = max(1, spec.retry_after)
        error = MediaWikiError(
            "maxlag",
            f"Waiting for 10.64.48.23: {lag} seconds lagged.",
            host="10.64.48.23",
            lag=lag,
            type="db",
        )
        headers = {"Retry-After": str(spec.retry_after), "X-Database-Lag": str(lag)}
        return error.response("uz", True, headers=headers)
    return PlainTextResponse(
        "Too many requests. Please reduce your request rate, see "
        "https://meta.wikimedia.org/wiki/User-Agent_policy",
        status_code=429,
        headers={"Retry-After": str(spec.retry_after)},
    )


def _server_error(spec: FaultSpec) -> Response:
    status = spec.status or 500
    return HTMLResponse(
        '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Wikimedia Error</title>'
        '<div class="content" role="main"><h1>Error</h1><p>Our servers are currently under '
        "maintenance or experiencing a technical issue. Please try again in a few minutes.</p>"
        f"<p>Request served via sim, HTTP {status}</p></div></html>",
        status_code=status,
    )


RESPONDERS = faults.Responders(rate_limited=_rate_limited, server_error=_server_error)


def _multi_value(value: str | None) -> list[str]:
    """A ``|``-separated parameter (or ``\\x1f``-separated when it starts with that character)."""
    if not value:
        return []
    separator = "\x1f" if value.startswith("\x1f") else "|"
    values = value.removeprefix("\x1f").split(separator)
    return list(dict.fromkeys(values))  # MediaWiki ignores repeated values


def normalize_title(raw: str) -> tuple[str | None, str | None]:
    """The title MediaWiki files ``raw`` under, or why it cannot be a title."""
    title = re.sub(r"[ _]+", " ", raw.split("#", 1)[0]).strip()
    if not title:
        return None, "The requested page title is empty or contains only the name of a namespace."
    illegal = next((char for char in title if char in ILLEGAL_TITLE_CHARACTERS), None)
    if illegal is not None:
        return None, f'The requested page title contains invalid characters: "{illegal}".'
    return title[0].upper() + title[1:], None


def _langlinks_limit(value: str | None, warnings: list[str]) -> int:
    if value is None:
        return LANGLINKS_DEFAULT_LIMIT
    if value == "max":
        return LANGLINKS_MAX_LIMIT
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        raise MediaWikiError(
            "badinteger", f'Invalid value "{value}" for integer parameter "lllimit".'
        )
    limit = int(value)
    if limit > LANGLINKS_MAX_LIMIT:
        warnings.append(
            f"lllimit may not be over {LANGLINKS_MAX_LIMIT} (set to {limit}) for users."
        )
        return LANGLINKS_MAX_LIMIT
    if limit < 1:
        warnings.append(f"lllimit may not be less than 1 (set to {limit}).")
        return 1
    return limit


def _langlinks_continue(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    pageid, _, lang = value.partition("|")
    if not pageid.isdigit() or not lang:
        raise MediaWikiError(
            "badcontinue",
            "Invalid continue param. You should pass the original value returned by the "
            "previous query.",
        )
    return int(pageid), lang


def _synthetic_pageid(title: str) -> int:
    """A stable id for a redirect page: the world records redirects, not their pages."""
    return 900_000_000 + zlib.crc32(title.encode()) % 100_000_000


def _info(lang: str, pageid: int) -> dict:
    touched = dt.datetime(2025, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=pageid % 100_000)
    return {
        "contentmodel": "wikitext",
        "pagelanguage": lang,
        "pagelanguagehtmlcode": lang,
        "pagelanguagedir": "ltr",
        "touched": mediawiki_time(touched),
        "lastrevid": 4_000_000 + pageid % 1_000_000,
        "length": 1_500 + pageid % 20_000,
    }


def _flag(formatversion2: bool) -> bool | str:
    return True if formatversion2 else ""


async def _query(request: Request, lang: str, params: dict[str, str]) -> dict:
    formatversion2 = params.get("formatversion") in ("2", "latest")
    action = params.get("action")
    if action != "query":
        raise MediaWikiError("badvalue", f'Unrecognized value for parameter "action": {action}.')
    if params.get("format", "json") != "json":
        raise MediaWikiError(
            "badvalue", f'Unrecognized value for parameter "format": {params["format"]}.'
        )
    titles = _multi_value(params.get("titles"))
    if len(titles) > MAX_TITLES:
        raise MediaWikiError(
            "toomanyvalues",
            f'Too many values supplied for parameter "titles". The limit is {MAX_TITLES}.',
            limit=MAX_TITLES,
            lowlimit=MAX_TITLES,
            highlimit=HIGH_MAX_TITLES,
        )
    props = _multi_value(params.get("prop"))
    warnings: list[str] = []
    langlinks_limit = _langlinks_limit(params.get("lllimit"), warnings)
    langlinks_from = _langlinks_continue(params.get("llcontinue"))
    follow_redirects = "redirects" in params  # a boolean parameter is true when present

    normalized: list[dict] = []
    invalid: list[dict] = []
    wanted: list[str] = []
    for raw in titles:
        title, reason = normalize_title(raw)
        if title is None:
            invalid.append(
                {"title": raw, "invalidreason": reason, "invalid": _flag(formatversion2)}
            )
            continue
        if title != raw:
            entry = {"fromencoded": False, "from": raw, "to": title}
            normalized.append(entry if formatversion2 else {"from": raw, "to": title})
        if title not in wanted:
            wanted.append(title)

    store = runtime(request).store
    redirect_targets = await store.wiki_redirects(lang, wanted)
    redirects: list[dict] = []
    resolved: list[str] = []
    for title in wanted:
        target = title
        if follow_redirects and title in redirect_targets:
            target = redirect_targets[title]
            redirects.append({"from": title, "to": target})
        if target not in resolved:
            resolved.append(target)

    pages_by_title = await store.wiki_pages(lang, resolved)
    existing: list[tuple[WikiPage, bool]] = [
        (pages_by_title[title], False) for title in resolved if title in pages_by_title
    ]
    existing += [
        (WikiPage(_synthetic_pageid(title), title), True)
        for title in resolved
        if title not in pages_by_title and title in redirect_targets
    ]
    existing.sort(key=lambda item: item[0].pageid)
    missing = [
        title for title in resolved if title not in pages_by_title and title not in redirect_targets
    ]

    langlinks: dict[int, list[WikiLanglink]] = {}
    next_langlink: WikiLanglink | None = None
    if "langlinks" in props and existing:
        links = await store.wiki_langlinks(lang, [page.pageid for page, _ in existing])
        if langlinks_from is not None:
            links = [link for link in links if (link.pageid, link.lang) >= langlinks_from]
        if len(links) > langlinks_limit:
            next_langlink = links[langlinks_limit]
        for link in links[:langlinks_limit]:
            langlinks.setdefault(link.pageid, []).append(link)

    page_objects: list[tuple[str, dict]] = []
    for page, is_redirect in existing:
        page_object: dict = {"pageid": page.pageid, "ns": 0, "title": page.title}
        if "info" in props:
            page_object.update(_info(lang, page.pageid))
            if is_redirect:
                page_object["redirect"] = _flag(formatversion2)
        if page.pageid in langlinks:
            title_key = "title" if formatversion2 else "*"
            page_object["langlinks"] = [
                {"lang": link.lang, title_key: link.title} for link in langlinks[page.pageid]
            ]
        page_objects.append((str(page.pageid), page_object))
    negative_ids = iter(range(-1, -(len(missing) + len(invalid)) - 1, -1))
    for title in missing:
        missing_object = {"ns": 0, "title": title, "missing": _flag(formatversion2)}
        page_objects.append((str(next(negative_ids)), missing_object))
    for invalid_object in invalid:
        page_objects.append((str(next(negative_ids)), invalid_object))

    body: dict = {}
    if next_langlink is not None:
        body["continue"] = {
            "llcontinue": f"{next_langlink.pageid}|{next_langlink.lang}",
            "continue": "||",
        }
    else:
        body["batchcomplete"] = _flag(formatversion2)
    if warnings:
        text_key = "warnings" if formatversion2 else "*"
        body["warnings"] = {"langlinks": {text_key: "\n".join(warnings)}}
    if params.get("lllimit") == "max" and "langlinks" in props:
        body["limits"] = {"langlinks": LANGLINKS_MAX_LIMIT}
    query: dict = {}
    if normalized:
        query["normalized"] = normalized
    if redirects:
        query["redirects"] = redirects
    if page_objects:
        if formatversion2:
            query["pages"] = [page_object for _, page_object in page_objects]
        else:
            query["pages"] = dict(page_objects)
    if query:
        body["query"] = query
    return body


async def _parameters(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        params.update({key: str(value) for key, value in form.items()})
    return params


@router.api_route("/{lang}/w/api.php", methods=["GET", "POST"])
async def api_php(request: Request, lang: str) -> Response:
    async def produce() -> Response:
        if lang not in LANGUAGES:
            return PlainTextResponse("Not Found", status_code=404)
        params = await _parameters(request)
        formatversion2 = params.get("formatversion") in ("2", "latest")
        try:
            return JSONResponse(await _query(request, lang, params))
        except MediaWikiError as error:
            return error.response(lang, formatversion2)

    return await faults.serve(request, "wiki", produce, RESPONDERS)
