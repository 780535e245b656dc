"""The weekly posting history on an institution's page: one row per active account, one bar
per ISO week, as SVG geometry that the template draws inline (no image, no JavaScript).

R2 asks every head to post at least ``min_posts`` times a week on each account, so a head's
rows carry that minimum as a dashed line and colour each week met or below it; the other
accounts (deputies, press secretaries, the institution's own pages) are drawn for context in
one neutral colour. A week the account's fetches do not cover at all has no bar ("not
fetched": its posts were never asked for, so no count is known); a week covered in part (the
current one, or the first fetched) is drawn pale, its count being a lower bound.

Only numbers and the labels the registry gives are produced here; the template escapes every
label like any other text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LABEL_WIDTH = 290
WEEK_WIDTH = 48
BAR_WIDTH = 30
TOP = 34  # the week labels
ROW_HEIGHT = 56
BAR_AREA = 38  # the bars' height at the top of the scale
ZERO_MARK = 1.5  # a week with no post still shows a sliver at the baseline
LABEL_CHARS = 38


@dataclass(frozen=True)
class Week:
    start: dt.date
    x: float  # the middle of the week's column
    label: str  # 9 Mar
    title: str  # 2026-W11, 9-15 Mar 2026


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    posts: int
    coverage: str  # full | partial | none
    state: str  # met | below | other | unknown
    title: str


@dataclass(frozen=True)
class Row:
    account_id: int
    label: str  # facebook @handle
    owner: str  # Name Surname (head), or "institution's page"
    top: float
    baseline: float
    is_head: bool
    threshold_y: float | None  # the R2 minimum, on a head's rows
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class WeeklyChart:
    width: float
    height: float
    min_posts: int
    scale_max: int
    weeks: tuple[Week, ...]
    rows: tuple[Row, ...]


def _cut(text: str) -> str:
    """A label that fits the label column (the full text is in the accounts table)."""
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _week_title(start: dt.date) -> str:
    year, week, _ = start.isocalendar()
    end = start + dt.timedelta(days=6)
    return f"{year}-W{week:02d}, {start:%-d %b} - {end:%-d %b %Y}"


def weekly_posts(
    accounts: Sequence[Mapping[str, Any]],
    weekly: Sequence[Mapping[str, Any]],
    *,
    min_posts: int,
) -> WeeklyChart:
    """The chart of ``weekly`` (rows of account_id, week_start, posts, coverage, ordered by
    week) for the ``accounts`` (in the order shown; inactive ones have no weeks and no row)."""
    by_account: dict[int, list[Mapping[str, Any]]] = {}
    for row in weekly:
        by_account.setdefault(row["account_id"], []).append(row)
    starts = sorted({row["week_start"] for row in weekly})
    weeks = tuple(
        Week(start, LABEL_WIDTH + (n + 0.5) * WEEK_WIDTH, f"{start:%-d %b}", _week_title(start))
        for n, start in enumerate(starts)
    )
    column = {week.start: week for week in weeks}
    known = [row["posts"] for row in weekly if row["coverage"] != "none"]
    # One scale for every row, so that rows compare; the minimum sits at most half way up.
    scale_max = max([2 * min_posts, *known])

    rows = []
    shown = [account for account in accounts if account["id"] in by_account]
    for n, account in enumerate(shown):
        top = TOP + n * ROW_HEIGHT
        baseline = top + BAR_AREA
        is_head = account.get("role") == "head"
        bars = []
        for week_row in by_account[account["id"]]:
            posts, coverage = week_row["posts"], week_row["coverage"]
            week = column[week_row["week_start"]]
            if coverage == "none":
                state, height = "unknown", 0.0
                title = f"{week.title}: not fetched"
            else:
                state = "other" if not is_head else ("met" if posts >= min_posts else "below")
                height = max(ZERO_MARK, BAR_AREA * posts / scale_max)
                title = f"{week.title}: {posts} post{'s' if posts != 1 else ''}"
                if coverage == "partial":
                    title += " (part of the week fetched)"
            bars.append(
                Bar(week.x - BAR_WIDTH / 2, round(baseline - height, 1), BAR_WIDTH,
                    round(height, 1), posts, coverage, state, title)
            )  # fmt: skip
        owner = (
            f"{account['full_name']} ({account['role'].replace('_', ' ')})"
            if account.get("full_name")
            else "institution's page"
        )
        rows.append(
            Row(account["id"], _cut(f"{account['platform']} @{account['handle']}"), _cut(owner),
                top, baseline, is_head,
                round(baseline - BAR_AREA * min_posts / scale_max, 1) if is_head else None,
                tuple(bars))
        )  # fmt: skip
    return WeeklyChart(
        width=LABEL_WIDTH + len(weeks) * WEEK_WIDTH + 8,
        height=TOP + len(rows) * ROW_HEIGHT + 4,
        min_posts=min_posts,
        scale_max=scale_max,
        weeks=weeks,
        rows=tuple(rows),
    )
