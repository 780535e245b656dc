"""The view's HTML: Jinja templates in ``templates/`` beside this module, rendered with
autoescaping on for every template (a name from the registry or a story's title is text, never
markup), undefined names an error rather than an empty string, and a few filters for the
values the pages show: times in the settings' time zone, durations, numbers.

Links are built by ``Urls`` from the path the app is mounted at (the request's ``root_path``,
``/presswatch`` under the API server), so the pages work at any prefix, and inside the
Airflow UI's frame. A link to somewhere else (a story, an account's profile) is made only of an
http(s) URL (``http_url``): a feed cannot slip a ``javascript:`` link into a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2

from presswatch import settings as settings_module

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Urls:
    """Links within the view: ``to('/rating', band='red')``, and ``here(page=2)``, the current
    page with some query parameters changed (None or '' drops one)."""

    def __init__(self, base: str, path: str = "/", params: Mapping[str, Any] | None = None):
        self.base = base.rstrip("/")
        self.path = path
        self.params = {k: v for k, v in (params or {}).items() if v not in (None, "")}

    def to(self, path: str, **params: Any) -> str:
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{self.base}{path}" + (f"?{query}" if query else "")

    def here(self, **changes: Any) -> str:
        return self.to(self.path, **{**self.params, **changes})


def http_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL, else None (shown as text, not linked)."""
    if not isinstance(value, str):
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in ("http", "https") else None


def _local(value: dt.datetime | None, tz: dt.tzinfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "–"
    return value.astimezone(tz).strftime(pattern)


def duration(value: dt.timedelta | None) -> str:
    """A length of time as people say it: 3 d 4 h, 5 h 20 min, 12 min (the sign dropped)."""
    if value is None:
        return "–"
    minutes = int(abs(value).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) and not digits:
        return f"{value:,}"
    return f"{Decimal(value):,.{digits}f}"


def signed(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + number(value, digits)


@cache
def environment() -> jinja2.Environment:
    tz = settings_module.get().tz
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        {
            "local": lambda value, pattern="%Y-%m-%d %H:%M": _local(value, tz, pattern),
            "duration": duration,
            "number": number,
            "signed": signed,
            "http_url": http_url,
        }
    )
    env.globals["timezone"] = settings_module.get().timezone
    return env


def render(template: str, urls: Urls, **context: Any) -> str:
    return environment().get_template(template).render(urls=urls, **context)
