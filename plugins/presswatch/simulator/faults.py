"""Serving a platform request, with the injected fault it is due, if any.

Every platform handler goes through ``serve``: it records which platform answered and hands the
request either to the platform (``produce``) or to the fault. Rate limits and server errors take
the platform's own shape (``Responders``); slow, timeout and malformed are the same everywhere.
Delays are ``asyncio.sleep``: the server keeps answering other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from presswatch.simulator.runtime import FaultSpec, runtime, served_request

DISCONNECT_POLL_SECONDS = 0.05

GATEWAY_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


@dataclass(frozen=True)
class Responders:
    """How one platform says "slow down" and "something broke"."""

    rate_limited: Callable[[FaultSpec], Response]
    server_error: Callable[[FaultSpec], Response]


async def serve(
    request: Request,
    platform: str,
    produce: Callable[[], Awaitable[Response]],
    responders: Responders,
) -> Response:
    served = served_request(request)
    if served is not None:
        served.platform = platform
    fault = runtime(request).faults.take(platform, request.url.path)
    if fault is None:
        return await produce()
    if served is not None:
        served.fault = fault.kind
    if fault.kind == "rate_limit":
        return responders.rate_limited(fault)
    if fault.kind == "server_error":
        return responders.server_error(fault)
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay)
        return await produce()
    if fault.kind == "timeout":
        await _wait_unless_disconnected(request, fault.delay)
        # Reached only by a client more patient than the delay: a gateway gives up instead.
        return gateway_error_page(504)
    if fault.kind == "malformed":
        return truncated(await produce())
    if fault.kind == "bad_item":
        return without_item_time(await produce())
    raise ValueError(f"unknown fault kind {fault.kind!r}")


async def _wait_unless_disconnected(request: Request, seconds: float) -> None:
    """Sleep ``seconds``, or less if the client hangs up (so a timed-out test frees the server)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return
        await asyncio.sleep(min(DISCONNECT_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def truncated(response: Response) -> Response:
    """The same answer cut in half, as when a connection drops mid-body; status 200 regardless."""
    body = bytes(response.body)
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", "content-type")
    }
    return Response(
        content=body[: len(body) // 2],
        status_code=200,
        headers=headers,
        media_type=response.headers.get("content-type"),
    )


# Where each JSON platform lists items, and the key that dates them.
_ITEM_TIME_KEYS = ("created_time", "created_at", "timestamp")


def without_item_time(response: Response) -> Response:
    """The same answer with the first listed item's timestamp removed: a well-formed body with
    one item the client cannot use (Graph's and X's ``data``, business discovery's media)."""
    import json

    try:
        body = json.loads(bytes(response.body))
    except ValueError:
        return response
    listing = body.get("data") if isinstance(body, dict) else None
    if isinstance(body, dict) and "business_discovery" in body:
        listing = body["business_discovery"].get("media", {}).get("data")
    if isinstance(listing, list) and listing and isinstance(listing[0], dict):
        for key in _ITEM_TIME_KEYS:
            listing[0].pop(key, None)
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in ("content-length", "content-type")
    }
    return Response(
        content=json.dumps(body).encode(),
        status_code=response.status_code,
        headers=headers,
        media_type="application/json",
    )


def gateway_error_page(status: int) -> HTMLResponse:
    """What a front proxy (nginx) sends when the application behind it fails."""
    reason = GATEWAY_REASONS.get(status, "Error")
    html = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return HTMLResponse(html, status_code=status)
