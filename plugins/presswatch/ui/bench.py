"""How long the presswatch view takes to make its pages, for ``presswatch bench``.

``page_seconds(url)`` renders, against the database at ``url``, the league table's first page
(the current rating, the default page size), the SLA board as of the last sweep and one
institution's page, each as a request does it, without the HTTP and login around it: a
read-only connection opened, the page's statements run, the template rendered, the connection
closed. Each figure is the best of ``rounds`` (the first round also warms the templates and
the statements' plans). The institution is ``code`` if given, else the one with the most SLA
clocks, whose page has the most to show.

The target (the issue's): a world of 3,000 institutions loads in under a second, page by page.
Nothing here writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from presswatch import db
from presswatch.ui import pages, render

PREFIX = "/presswatch"
TARGET_SECONDS = 1.0


def _best(rounds: int, make: Callable[[], str]) -> tuple[float, int]:
    seconds, size = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        size = len(make())
        seconds.append(time.perf_counter() - started)
    return min(seconds), size


def _heaviest_institution(url: str) -> str | None:
    with pages.connect(url) as conn:
        row = conn.execute(
            "SELECT i.code FROM institution AS i"
            "  LEFT JOIN (SELECT institution_id, count(*) AS clocks FROM story_sla"
            "              GROUP BY institution_id) AS c ON c.institution_id = i.id"
            " ORDER BY c.clocks DESC NULLS LAST, i.code LIMIT 1"
        ).fetchone()
    return row[0] if row else None


def page_seconds(url: str, *, rounds: int = 3, code: str | None = None) -> dict[str, Any]:
    """Seconds for the league's first page, the SLA board and ``code``'s page (see the module
    doc), with what they showed."""
    code = code or _heaviest_institution(url)

    def league() -> str:
        with pages.connect(url) as conn:
            data = pages.league(conn)
        return render.render("rating.html", render.Urls(PREFIX, "/rating"), user="bench",
                             data=data, bands=pages.BANDS)  # fmt: skip

    def board() -> str:
        with pages.connect(url) as conn:
            last_sweep = conn.execute(db.named_queries(pages.SLA)["last_sweep"]).fetchone()
            data = pages.sla_board(conn, at=last_sweep[0])
        return render.render("sla.html", render.Urls(PREFIX, "/sla"), user="bench", data=data,
                             stages=pages.BOARD_STAGES)  # fmt: skip

    def institution() -> str:
        with pages.connect(url) as conn:
            data = pages.institution(conn, code)
        return render.render("institution.html", render.Urls(PREFIX, f"/institutions/{code}"),
                             user="bench", data=data)  # fmt: skip

    with pages.connect(url) as conn:
        (institutions,) = conn.execute("SELECT count(*) FROM institution").fetchone()
    league_seconds, league_bytes = _best(rounds, league)
    board_seconds, board_bytes = _best(rounds, board)
    figures = {
        "institutions": institutions,
        "ui_league_page_seconds": round(league_seconds, 3),
        "ui_league_page_bytes": league_bytes,
        "ui_sla_board_seconds": round(board_seconds, 3),
        "ui_sla_board_bytes": board_bytes,
        "institution": code,
        "ui_institution_page_seconds": None,
        "ui_institution_page_bytes": None,
    }
    if code is not None:
        seconds, size = _best(rounds, institution)
        figures["ui_institution_page_seconds"] = round(seconds, 3)
        figures["ui_institution_page_bytes"] = size
    return figures
