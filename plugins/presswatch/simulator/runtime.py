"""The simulator's state for one app: the data store, the queue of injected faults and the log
of platform requests served. Handlers reach it through ``runtime(request)``.

Faults and the log are guarded by a thread lock: the app may be driven from a test thread
while uvicorn serves it from another.
"""

from __future__ import annotations

import collections
import threading
import typing
from dataclasses import asdict, dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.requests import Request

from presswatch.simulator.store import Store

# portal: the monitoring portal's JSON API; feeds: the news sites' RSS and Atom feeds.
Platform = Literal["facebook", "instagram", "x", "telegram", "tme", "wiki", "portal", "feeds"]
FaultKind = Literal["rate_limit", "server_error", "slow", "malformed", "bad_item", "timeout"]
PLATFORMS: tuple[str, ...] = typing.get_args(Platform)
FAULT_KINDS: tuple[str, ...] = typing.get_args(FaultKind)

DEFAULT_DELAY_SECONDS = {"slow": 1.0, "timeout": 30.0}
REQUEST_LOG_SIZE = 10_000

# Where the request-log middleware leaves the entry that the handler completes.
SERVED_REQUEST_KEY = "presswatch.simulator.served_request"


class FaultSpec(BaseModel):
    """One ``POST /_sim/faults`` body: what the next ``times`` matching requests get."""

    model_config = ConfigDict(extra="forbid")

    platform: Platform
    kind: FaultKind
    times: int = Field(1, ge=1, le=10_000)
    delay_seconds: float | None = Field(
        None, ge=0, le=600, description="slow: 1 s by default; timeout: 30 s by default"
    )
    retry_after: int = Field(1, ge=0, le=3600, description="seconds the rate-limit answer asks")
    code: Literal[4, 17, 32, 613] | None = Field(
        None, description="Graph rate limit: the error code (4, the app's limit, by default)"
    )
    status: int | None = Field(
        None,
        ge=400,
        le=599,
        description="server_error: 500 (default), 502, 503...; "
        "Graph rate_limit: 400 (default) or 403",
    )
    variant: Literal["http429", "maxlag"] = Field(
        "http429", description="wiki rate_limit: HTTP 429, or MediaWiki's maxlag error"
    )
    path_contains: str | None = Field(None, description="only requests whose path contains this")

    @model_validator(mode="after")
    def _status_fits_kind(self) -> FaultSpec:
        if self.status is None:
            return self
        if self.kind == "server_error":
            if self.status < 500:
                raise ValueError("a server_error status must be 5xx")
        elif self.kind == "rate_limit" and self.platform in ("facebook", "instagram"):
            if self.status not in (400, 403):
                raise ValueError("a Graph rate limit answers 400 or 403")
        else:
            raise ValueError("status applies to server_error faults and to Graph rate limits")
        return self

    @property
    def delay(self) -> float:
        if self.delay_seconds is not None:
            return self.delay_seconds
        return DEFAULT_DELAY_SECONDS.get(self.kind, 0.0)


class FaultQueue:
    """Faults waiting for requests, first queued first served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[tuple[FaultSpec, int]] = []

    def add(self, spec: FaultSpec) -> None:
        with self._lock:
            self._pending.append((spec, spec.times))

    def take(self, platform: str, path: str) -> FaultSpec | None:
        """The fault the current request gets, if any; it counts as one of that fault's times."""
        with self._lock:
            for index, (spec, remaining) in enumerate(self._pending):
                if spec.platform != platform:
                    continue
                if spec.path_contains is not None and spec.path_contains not in path:
                    continue
                if remaining > 1:
                    self._pending[index] = (spec, remaining - 1)
                else:
                    del self._pending[index]
                return spec
        return None

    def clear(self) -> int:
        with self._lock:
            count = len(self._pending)
            self._pending.clear()
        return count

    def pending(self) -> list[dict]:
        with self._lock:
            return [
                {**spec.model_dump(exclude_none=True), "remaining": remaining}
                for spec, remaining in self._pending
            ]


@dataclass
class ServedRequest:
    method: str
    path: str
    query: str
    status: int | None = None
    platform: str | None = None
    fault: str | None = None


class RequestLog:
    """The most recent platform requests, oldest first (bounded: a demo may run for days)."""

    def __init__(self, size: int = REQUEST_LOG_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[ServedRequest] = collections.deque(maxlen=size)

    def record(self, entry: ServedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return [asdict(entry) for entry in self._entries]

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
        return count


@dataclass
class Runtime:
    store: Store
    faults: FaultQueue
    log: RequestLog


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def served_request(request: Request) -> ServedRequest | None:
    return request.scope.get(SERVED_REQUEST_KEY)
