"""The normalised URL stories are deduplicated by (``story.canonical_url``).

The same story reaches us under several spellings of its address: ``http://`` and
``https://``, ``WWW.Kun.uz`` and ``kun.uz``, with ``?utm_source=telegram`` from a share button,
with or without a trailing slash or a ``#comments`` fragment. They are one story:

- the scheme is ``https`` (news sites serve both) and the host is lowercased, without ``www.``
  or ``m.`` (mobile editions) and without a default port;
- tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``yclid``, ``igshid``, ...) are dropped,
  the others kept, sorted, so their order does not matter;
- the fragment is dropped, and a trailing slash (except the root's), and repeated slashes.

The path keeps its case: servers tell ``/News/1`` from ``/news/1``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "ysclid", "igshid", "mc_cid",
        "mc_eid", "_openstat", "from", "ref", "ref_src",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)
HOST_PREFIXES = ("www.", "m.")
DEFAULT_PORTS = {"http": 80, "https": 443}


class NotAWebAddress(ValueError):
    """The text is not an absolute http(s) URL."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The normalised form of ``url``; raises NotAWebAddress for anything but http(s)."""
    text = (url or "").strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise NotAWebAddress(f"{url!r} is not an http(s) address")
    host = parts.hostname.lower().rstrip(".")
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    try:
        port = parts.port
    except ValueError:
        raise NotAWebAddress(f"{url!r} has an invalid port") from None
    if port is not None and port not in DEFAULT_PORTS.values():
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    )
    return f"https://{host}{path}" + (f"?{urlencode(query)}" if query else "")


def source_of(url: str) -> str:
    """The outlet a URL belongs to: its host without ``www.``/``m.`` (``kun.uz``)."""
    return urlsplit(canonical_url(url)).netloc
