"""The rating's reports (R10): for the agency, the league table of all institutions; for each
institution, its scorecard in its own language. Each as HTML (Jinja templates in
``include/templates/reports/``, autoescaped, charts embedded as PNG images), PDF
(``presswatch.rating.pdf``: fpdf2, the DejaVu font embedded) and CSV.

The documents are kept with their rating (``rating_document``, migration 0016) and rendered
only when what they show changed (``source_sha256``): the scorecard tasks render their batch's
scorecards once and attach the PDF to the notices; a rerun renders nothing; when a rating
becomes final, the documents it changes (its status, ranks moved by corrections) are rendered
again. ``export`` writes a rating's documents to a folder (``<period>-v<version>/``).

Charts (``presswatch.rating.charts``): the distribution of scores with the band limits (the
agency's report), each institution's indicators against the median of all, and its score over
the last ``TREND_PERIODS`` half-years.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg

from presswatch import db
from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.rating.compute import WEIGHT_OF

QUERIES = "rating/report"
# Bump when a template, a chart or the PDF's layout changes: every document is rendered again.
LAYOUT_VERSION = 4
# Scorecards rendered by a worker process at a time, and stored at a time.
_CHUNK = 20
TREND_PERIODS = 6
INDICATORS = tuple(WEIGHT_OF)  # r1 .. r9
# The counts each indicator's evidence sentence names: its placeholder -> the evidence key
# (``sql/queries/rating/indicators.sql`` builds the evidence).
EVIDENCE_COUNTS = {
    "r1": {"present": "days_all_present", "days": "days", "verified": "days_all_verified"},
    "r2": {"met": "pairs_met", "pairs": "pairs"},
    "r3": {"in_time": "in_time", "clocks": "clocks"},
    "r4": {"in_time": "in_time", "requests": "requests", "undecided": "undecided"},
    "r5": {"ok": "days_ok", "days": "days"},
    "r6": {"ok": "days_ok", "days": "days"},
    "r7": {"present": "days_all_present", "days": "days"},
    "r8": {"days": "days", "android": "days_android", "ios": "days_ios",
           "open_data": "days_open_data"},
    "r9": {"held": "held", "planned": "planned"},
}  # fmt: skip
NAME_COLUMN = {"uz-Latn": "name_uz_latn", "uz-Cyrl": "name_uz_cyrl", "ru": "name_ru",
               "en": "name_en"}  # fmt: skip


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Institution:
    id: int
    code: str
    kind: str
    region_code: str
    language: str
    names: dict[str, str]
    score: float | None
    rank: int | None
    band: str | None
    weight_applicable: float
    previous_score: float | None
    score_change: float | None
    held_accountable: bool
    accountable_because: tuple[str, ...]

    def name(self, language: str) -> str:
        return self.names[language]


@dataclass
class ReportData:
    """One rating as its reports show it, read once for all its documents."""

    rating: dict[str, Any]
    institutions: list[Institution]  # best first, the not rated last
    indicators: dict[int, dict[str, dict[str, Any]]]  # institution id -> r1.. -> row
    medians: dict[str, float]
    trend_periods: list[str]  # oldest first, this rating's period last
    trend: dict[int, dict[str, float | None]]
    by_id: dict[int, Institution] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {i.id: i for i in self.institutions}

    @property
    def period(self) -> str:
        return self.rating["period"]

    @property
    def version(self) -> int:
        return self.rating["version"]

    @property
    def folder_name(self) -> str:
        return f"{self.period}-v{self.version}"

    @property
    def methodology(self) -> dict[str, Any]:
        return self.rating["methodology"]

    @cached_property
    def bands(self) -> dict[str, float]:
        bands = self.methodology["rating"]["bands"]
        return {"green_min": float(bands["green_min"]), "yellow_min": float(bands["yellow_min"])}

    @cached_property
    def weights(self) -> dict[str, float]:
        """r1.. -> the methodology's weight."""
        return {code: float(self.methodology["rating"]["weights"][name])
                for code, name in WEIGHT_OF.items()}  # fmt: skip

    @cached_property
    def rated(self) -> list[Institution]:
        """The institutions with a score, best first (read for every document: kept)."""
        return [i for i in self.institutions if i.score is not None]

    @cached_property
    def band_counts(self) -> dict[str, int]:
        return {
            band: sum(i.band == band for i in self.rated) for band in ("green", "yellow", "red")
        }

    def median_hours(self, institution_id: int) -> float | None:
        """R3's median hours to the first response (not an indicator: no weight)."""
        row = self.indicators.get(institution_id, {}).get("r3_median_response_hours", {})
        return _number(row.get("value"))

    @property
    def last_day(self) -> dt.date:
        return self.rating["period_end"] - dt.timedelta(days=1)

    def indicator_values(self, institution_id: int) -> list[float | None]:
        rows = self.indicators.get(institution_id, {})
        return [_number(rows.get(code, {}).get("value")) for code in INDICATORS]

    def failed(self, institution_id: int) -> list[str]:
        """The indicators (r1..) scored below the yellow band's limit: what must be explained."""
        limit = self.bands["yellow_min"] / 100
        return [
            code
            for code, value in zip(INDICATORS, self.indicator_values(institution_id), strict=True)
            if value is not None and value < limit
        ]


def load(conn: psycopg.Connection, rating_id: int) -> ReportData:
    queries = db.named_queries(QUERIES)
    params = {"rating_id": rating_id, "periods": TREND_PERIODS}
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        rating = cur.execute(queries["rating"], params).fetchone()
        if rating is None:
            raise PresswatchError(f"no rating {rating_id}")
        institutions = [
            Institution(
                id=row["institution_id"],
                code=row["code"],
                kind=row["kind"],
                region_code=row["region_code"],
                language=row["preferred_language"],
                names={lang: row[column] for lang, column in NAME_COLUMN.items()},
                score=_number(row["score"]),
                rank=row["rank"],
                band=row["band"],
                weight_applicable=float(row["weight_applicable"]),
                previous_score=_number(row["previous_score"]),
                score_change=_number(row["score_change"]),
                held_accountable=row["held_accountable"],
                accountable_because=tuple(row["accountable_because"]),
            )  # fmt: skip
            for row in cur.execute(queries["results"], params)
        ]
        indicators: dict[int, dict[str, dict[str, Any]]] = {}
        for row in cur.execute(queries["indicators"], params):
            indicators.setdefault(row["institution_id"], {})[row["indicator"]] = row
        medians = {
            row["indicator"]: float(row["median"])
            for row in cur.execute(queries["medians"], params)
        }
        periods = sorted(row["period"] for row in cur.execute(queries["trend_periods"], params))
        trend: dict[int, dict[str, float | None]] = {}
        for row in cur.execute(queries["trend"], params):
            trend.setdefault(row["institution_id"], {})[row["period"]] = _number(row["score"])
    return ReportData(rating, institutions, indicators, medians, periods, trend)


# --- what a notice or a document shows --------------------------------------------------------


def _indicator_facts(data: ReportData, institution_id: int) -> list[dict[str, Any]]:
    rows = data.indicators.get(institution_id, {})
    facts = []
    for code in INDICATORS:
        row = rows.get(code, {})
        value = _number(row.get("value"))
        facts.append(
            {
                "code": code,
                "key": WEIGHT_OF[code],
                "score": None if value is None else value * 100,
                # The weight it counted with (spread when another is not applicable).
                "weight": _number(row.get("weight_used")) or 0.0,
                "base_weight": data.weights[code],
                "median": None if code not in data.medians else data.medians[code] * 100,
                "evidence": row.get("evidence") or {},
            }
        )
    return facts


def notice_facts(data: ReportData, institution_id: int) -> dict[str, Any]:
    """The ``facts`` of an institution's rating notices (``notices/_facts/rating``)."""
    inst = data.by_id[institution_id]
    if inst.score is None:
        raise PresswatchError(f"institution {inst.code} has no score in {data.period}")
    return {
        "period": {"start": data.rating["period_start"], "end": data.last_day},
        "score": inst.score,
        "rank": inst.rank,
        "of_total": len(data.rated),
        "band": inst.band,
        "previous_score": inst.previous_score,
        "score_change": inst.score_change,
        "indicators": [
            {k: f[k] for k in ("key", "score", "weight")} for f in _indicator_facts(data, inst.id)
        ],
        "failed": [WEIGHT_OF[code] for code in data.failed(inst.id)],
        "bands": data.bands,
    }


LEAGUE_TOP = 10
LEAGUE_SHOWN = 100  # held accountable listed in the agency's mail; all are in its attachment


def league_facts(data: ReportData, language: str) -> dict[str, Any]:
    """The ``facts`` of the agency's league table notice (``notices/_facts/league``)."""

    def row(inst: Institution) -> dict[str, Any]:
        return {"rank": inst.rank, "name": inst.name(language), "score": inst.score,
                "band": inst.band}  # fmt: skip

    closes_on = data.rating["dispute_closes_on"]
    return {
        "period": {"start": data.rating["period_start"], "end": data.last_day},
        "label": data.period,
        "status": data.rating["status"],
        "closes_last_day": closes_on - dt.timedelta(days=1) if closes_on else None,
        "rated": len(data.rated),
        "band_counts": data.band_counts,
        "top": [row(i) for i in data.rated[:LEAGUE_TOP]],
        "accountable": [row(i) for i in data.rated if i.held_accountable],
        "shown": LEAGUE_SHOWN,
    }


def _status(data: ReportData) -> dict[str, Any]:
    return {
        "status": data.rating["status"],
        "closes_on": data.rating["dispute_closes_on"],
        "finalized_on": data.rating["finalized_on"],
    }


def _hash(source: Any) -> str:
    text = json.dumps(source, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _rating_header(data: ReportData) -> dict[str, Any]:
    return {
        "layout": LAYOUT_VERSION,
        "period": data.period,
        "version": data.version,
        "methodology_sha256": data.rating["methodology_sha256"],
        "period_start": data.rating["period_start"],
        "last_day": data.last_day,
        "bands": data.bands,
        **_status(data),
    }


def scorecard_source(data: ReportData, institution_id: int) -> dict[str, Any]:
    """Everything an institution's scorecard shows: its hash says when to render it again."""
    inst = data.by_id[institution_id]
    return {
        **_rating_header(data),
        "institution": {
            "code": inst.code,
            "name": inst.name(inst.language),
            "language": inst.language,
            "score": inst.score,
            "rank": inst.rank,
            "band": inst.band,
            "previous_score": inst.previous_score,
            "score_change": inst.score_change,
        },  # fmt: skip
        "of_total": len(data.rated),
        "indicators": _indicator_facts(data, institution_id),
        "median_hours": data.median_hours(institution_id),
        "trend": [
            [period, data.trend.get(institution_id, {}).get(period)]
            for period in data.trend_periods
        ],
    }


def agency_source(data: ReportData, language: str) -> dict[str, Any]:
    return {
        **_rating_header(data),
        "language": language,
        "weights": data.weights,
        "accountability": data.methodology["rating"]["accountability"],
        "results": [
            [
                i.rank,
                i.code,
                i.name(language),
                i.region_code,
                i.score,
                i.band,
                i.score_change,
                i.accountable_because,
            ]
            for i in data.institutions
        ],  # fmt: skip
    }


# --- formats ------------------------------------------------------------------------------------


class Lang:
    """One language's texts and formats (the notices' catalogs and filters), for the report
    templates and the PDF."""

    def __init__(self, language: str) -> None:
        from presswatch import settings as settings_module
        from presswatch.notices.render import default_renderer

        self.language = language
        self.agency = settings_module.get().agency.name[language]
        self.environment = default_renderer().environment(language)
        self.t = self.environment.globals["t"]
        filters = self.environment.filters
        self.number = filters["number"]
        self.percent = filters["percent"]
        self.long_date = filters["long_date"]
        self.date_range = filters["date_range"]

    def indicator(self, code: str) -> str:
        return self.t(f"indicator.{WEIGHT_OF[code]}")

    def score(self, value: float | None) -> str:
        return "—" if value is None else self.number(value, 1)

    def change(self, value: float | None) -> str:
        if value is None:
            return "—"
        sign = "+" if value > 0 else "\u2212" if value < 0 else "\u00b1"
        return sign + self.number(abs(value), 1)

    def status(self, data: ReportData) -> str:
        if data.rating["status"] == "final":
            return self.t("report.final_on", date=self.long_date(data.rating["finalized_on"]))
        closes_on = data.rating["dispute_closes_on"]
        if closes_on is None:
            return self.t("report.status_provisional")
        return self.t(
            "report.status_provisional_until",
            date=self.long_date(closes_on - dt.timedelta(days=1)),
        )

    def version(self, data: ReportData) -> str:
        return self.t(
            "report.version", version=data.version, sha=data.rating["methodology_sha256"][:12]
        )

    def accountable(self, inst: Institution, share: float) -> str:
        reasons = []
        if "red_band" in inst.accountable_because:
            reasons.append(self.t("report.accountable_red_band"))
        if "lowest_share" in inst.accountable_because:
            reasons.append(self.t("report.accountable_lowest_share", share=self.percent(share)))
        return ", ".join(reasons)

    def evidence(self, code: str, evidence: dict[str, Any]) -> str:
        """The counts behind an indicator as a sentence (``report.evidence_<code>``)."""
        counts = {name: self.number(evidence.get(field, 0))
                  for name, field in EVIDENCE_COUNTS[code].items()}  # fmt: skip
        return self.t(f"report.evidence_{code}", **counts)

    def missed(self, code: str, item: dict[str, Any]) -> tuple[str, str | None]:
        """A miss as text, and its link when it has one (a story's permalink)."""
        match code:
            case "r2":
                day = dt.date.fromisoformat(str(item["week_start"]))
                return self.t("report.missed_r2", date=self.long_date(day)), None
            case "r3":
                due = dt.datetime.fromisoformat(str(item["due_at"]))
                return self.t("report.missed_r3", date=self.long_date(due)), item.get("url")
            case "r4":
                ref = item.get("external_ref") or f"#{item['request_id']}"
                return self.t("report.missed_r4", ref=ref), None
            case "r9":
                ref = item.get("external_ref") or f"#{item['event_id']}"
                day = dt.date.fromisoformat(str(item["planned_on"]))
                return self.t("report.missed_r9", ref=ref, date=self.long_date(day)), None
        return json.dumps(item, ensure_ascii=False, default=str), None


# --- charts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartImage:
    png: bytes  # the HTML's data URI, the PDF's image (presswatch.rating.pdf takes it as it is)


class Charts:
    """The scorecards' chart stencils per language, made on first use (``charts``)."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self._indicators: dict[str, Any] = {}
        self._trend: dict[str, Any] = {}

    def indicators(self, institution_id: int, lang: Lang) -> ChartImage:
        from presswatch.rating import charts

        if lang.language not in self._indicators:
            self._indicators[lang.language] = charts.IndicatorChart(
                [f"R{code[1:]} {_short(lang.indicator(code))}" for code in INDICATORS],
                [self.data.medians.get(code) for code in INDICATORS],
                title="",  # the document heads the chart
                labels={"institution": lang.t("report.institution"),
                        "median": lang.t("report.median"),
                        "not_applicable": lang.t("report.not_applicable")},
            )  # fmt: skip
        chart = self._indicators[lang.language]
        return ChartImage(chart.render(self.data.indicator_values(institution_id)))

    def trend(self, institution_id: int, lang: Lang) -> ChartImage:
        from presswatch.rating import charts

        if lang.language not in self._trend:
            self._trend[lang.language] = charts.TrendChart(
                self.data.trend_periods, **self.data.bands, title="",
                labels={"score": lang.t("report.axis_score")},
            )  # fmt: skip
        scores = self.data.trend.get(institution_id, {})
        chart = self._trend[lang.language]
        return ChartImage(chart.render([scores.get(p) for p in self.data.trend_periods]))

    def distribution(self, lang: Lang) -> ChartImage:
        from presswatch.rating import charts

        png = charts.score_distribution(
            [i.score for i in self.data.rated], **self.data.bands,
            title=f"{lang.t('report.chart_distribution')}, {self.data.period}",
            labels={"score": lang.t("report.axis_score"),
                    "institutions": lang.t("report.axis_institutions"),
                    "green": lang.t("band.green"), "yellow": lang.t("band.yellow"),
                    "red": lang.t("band.red")},
        )  # fmt: skip
        return ChartImage(png)

    def close(self) -> None:
        for chart in [*self._indicators.values(), *self._trend.values()]:
            chart.close()


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    name: str
    content_type: str
    content: bytes
    institution_id: int | None


def _scorecard_context(data: ReportData, institution_id: int, lang: Lang, charts: Charts):
    inst = data.by_id[institution_id]
    indicators = []
    for fact in _indicator_facts(data, institution_id):
        evidence = fact["evidence"]
        missed = [lang.missed(fact["code"], item) for item in evidence.get("missed", [])]
        indicators.append(
            {
                **fact,
                "name": lang.indicator(fact["code"]),
                "evidence_text": lang.evidence(fact["code"], evidence),
                "missed": missed,
                "more": bool(evidence.get("more")),
            }
        )
    return {
        "data": data,
        "inst": inst,
        "name": inst.name(lang.language),
        "of_total": len(data.rated),
        "indicators": indicators,
        "not_applicable": [i for i in indicators if i["score"] is None],
        "failed": data.failed(institution_id),
        "median_hours": data.median_hours(institution_id),
        "chart_indicators": charts.indicators(institution_id, lang),
        "chart_trend": charts.trend(institution_id, lang),
    }


def render_scorecard(
    data: ReportData, institution_id: int, charts: Charts, langs: dict[str, Lang]
) -> list[Document]:
    """An institution's scorecard in its language: PDF, HTML and CSV."""
    from presswatch.rating import pdf

    inst = data.by_id[institution_id]
    lang = langs.setdefault(inst.language, Lang(inst.language))
    context = _scorecard_context(data, institution_id, lang, charts)
    html = lang.environment.get_template("reports/scorecard.html.j2").render(
        **context,
        lang=lang,
        chart_indicators_uri=_data_uri(context["chart_indicators"].png),
        chart_trend_uri=_data_uri(context["chart_trend"].png),
    )
    base = f"scorecards/{inst.code}"
    return [
        Document(f"{base}.pdf", "application/pdf", pdf.scorecard(context, lang), inst.id),
        Document(f"{base}.html", "text/html; charset=utf-8", html.encode(), inst.id),
        Document(f"{base}.csv", "text/csv; charset=utf-8", _scorecard_csv(data, inst), inst.id),
    ]


def render_agency(data: ReportData, language: str, charts: Charts) -> list[Document]:
    """The agency's league table (PDF, HTML) and every result (CSV)."""
    from presswatch.rating import pdf

    lang = Lang(language)
    share = float(data.methodology["rating"]["accountability"]["lowest_share"])
    context = {
        "data": data,
        "lang": lang,
        "share": share,
        "band_counts": data.band_counts,
        "not_rated": [i for i in data.institutions if i.score is None],
        "accountable": [i for i in data.rated if i.held_accountable],
        "chart_distribution": charts.distribution(lang),
    }
    html = lang.environment.get_template("reports/agency.html.j2").render(
        **context, chart_distribution_uri=_data_uri(context["chart_distribution"].png)
    )
    return [
        Document("agency.pdf", "application/pdf", pdf.agency(context, lang), None),
        Document("agency.html", "text/html; charset=utf-8", html.encode(), None),
        Document("rating.csv", "text/csv; charset=utf-8", _rating_csv(data), None),
    ]


def _csv(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    # With a BOM: spreadsheet programs then read the Cyrillic and ʻ as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def _value(value: Any) -> str | None:
    if value is None:
        return None
    return f"{Decimal(str(value)):.4f}" if not isinstance(value, int) else str(value)


def _rating_csv(data: ReportData) -> bytes:
    header = [
        "period", "version", "status", "rank", "code", "name_en", "name", "language", "region",
        "score", "band", "previous_score", "score_change", "held_accountable",
        "accountable_because", *INDICATORS, "r3_median_response_hours",
    ]  # fmt: skip
    rows: list[Sequence[Any]] = [header]
    for inst in data.institutions:
        values = data.indicators.get(inst.id, {})
        rows.append(
            [
                data.period, data.version, data.rating["status"], inst.rank, inst.code,
                inst.names["en"], inst.name(inst.language), inst.language, inst.region_code,
                _value(inst.score), inst.band, _value(inst.previous_score),
                _value(inst.score_change), inst.held_accountable,
                " ".join(inst.accountable_because),
                *[_value(values.get(code, {}).get("value")) for code in INDICATORS],
                _value(values.get("r3_median_response_hours", {}).get("value")),
            ]
        )  # fmt: skip
    return _csv(rows)


def _scorecard_csv(data: ReportData, inst: Institution) -> bytes:
    """One row per indicator with its evidence (the counts, and the misses' ids and links)."""
    rows: list[Sequence[Any]] = [
        ["period", "version", "code", "indicator", "name", "value", "weight", "weight_used",
         "median", "evidence"]
    ]  # fmt: skip
    values = data.indicators.get(inst.id, {})
    for code in (*INDICATORS, "r3_median_response_hours"):
        row = values.get(code, {})
        median = data.medians.get(code)
        rows.append(
            [
                data.period, data.version, inst.code, code, WEIGHT_OF.get(code, code),
                _value(row.get("value")), _value(row.get("weight")), _value(row.get("weight_used")),
                None if median is None else _value(median),
                json.dumps(row.get("evidence") or {}, ensure_ascii=False, sort_keys=True),
            ]
        )  # fmt: skip
    return _csv(rows)


class Documents:
    """A rating's stored documents, rendered when missing or stale (``ensure_*``)."""

    def __init__(self, conn: psycopg.Connection, data: ReportData) -> None:
        self.conn = conn
        self.data = data
        self.queries = db.named_queries(QUERIES)
        self.sources = dict(
            conn.execute(self.queries["document_sources"], {"rating_id": data.rating["id"]})
        )
        self.charts = Charts(data)
        self.langs: dict[str, Lang] = {}
        self.rendered = 0
        self.fresh: dict[str, bytes] = {}  # the PDFs stored by this object, for attachments
        # The agency's names head every document: a change of them renders them again.
        self.agency = settings_module.get().agency.name

    def _source(self, source: dict[str, Any]) -> str:
        return _hash({**source, "agency": self.agency})

    def _store(self, documents: Iterable[tuple[Document, str]]) -> None:
        """Store (document, source hash) pairs, a few hundred statements at a time."""
        with self.conn.cursor() as cur:
            batch: list[dict[str, Any]] = []
            for document, source_sha256 in [*documents, (None, None)]:
                if document is not None:
                    batch.append(
                        {
                            "rating_id": self.data.rating["id"],
                            "name": document.name,
                            "institution_id": document.institution_id,
                            "content_type": document.content_type,
                            "content": document.content,
                            "source_sha256": source_sha256,
                        }
                    )
                    self.sources[document.name] = source_sha256
                    if document.content_type == "application/pdf":
                        self.fresh[document.name] = document.content
                if batch and (document is None or len(batch) >= 300):
                    cur.executemany(self.queries["upsert_document"], batch)
                    self.rendered += len(batch)
                    batch = []

    @staticmethod
    def scorecard_names(inst: Institution) -> list[str]:
        return [f"scorecards/{inst.code}.{ext}" for ext in ("pdf", "html", "csv")]

    def ensure_scorecards(self, institution_ids: Sequence[int], processes: int = 1) -> None:
        """The institutions' scorecards rendered and stored unless they are already; with
        ``processes`` > 1 rendered by that many processes (the charts and the PDF layout are
        CPU work in Python: one process renders ~30 a second)."""
        for _ in self.stored_scorecards(institution_ids, processes):
            pass

    def stored_scorecards(
        self, institution_ids: Sequence[int], processes: int = 1, chunk: int = _CHUNK
    ) -> Iterator[list[int]]:
        """``ensure_scorecards``, a few institutions at a time: yields them, in the order
        given, once their scorecards are stored (rendered or already there), so that the caller
        can use them while the next ones are being rendered."""
        stale: dict[int, str] = {}
        for institution_id in institution_ids:
            source = self._source(scorecard_source(self.data, institution_id))
            names = self.scorecard_names(self.data.by_id[institution_id])
            if any(self.sources.get(name) != source for name in names):
                stale[institution_id] = source
        ids = list(stale)
        if processes > 1 and len(ids) >= 4 * processes:
            rendered = _render_in_processes(self.data, ids, processes)
        else:
            rendered = (render_scorecard(self.data, i, self.charts, self.langs) for i in ids)
        ready: list[int] = []
        documents: list[tuple[Document, str]] = []
        for institution_id in institution_ids:
            if institution_id in stale:
                documents += [(d, stale[institution_id]) for d in next(rendered)]
            ready.append(institution_id)
            if len(ready) >= chunk:
                self._store(documents)
                yield ready
                ready, documents = [], []
        if ready:
            self._store(documents)
            yield ready

    def ensure_agency(self, language: str) -> None:
        source = self._source(agency_source(self.data, language))
        names = ("agency.pdf", "agency.html", "rating.csv")
        if any(self.sources.get(name) != source for name in names):
            self._store((d, source) for d in render_agency(self.data, language, self.charts))

    def content(self, name: str) -> bytes:
        if name in self.fresh:
            return self.fresh[name]
        row = self.conn.execute(
            self.queries["document"], {"rating_id": self.data.rating["id"], "name": name}
        ).fetchone()
        if row is None:
            raise PresswatchError(f"rating {self.data.rating['id']} has no document {name}")
        return bytes(row[0])

    def close(self) -> None:
        self.charts.close()


# Rendering in worker processes: they are forked from the parent once it has rendered a scorecard
# in each language they will render, so that each starts with the rating's data, the chart
# stencils and the remembered line breaks (~1 s of a worker's start otherwise); the parent
# stores what they return, in order.
_WORKER: dict[str, Any] = {}


def _start_worker() -> None:
    logging.getLogger().handlers.clear()  # the task's log handlers belong to the parent


def _render_chunk(institution_ids: list[int]) -> list[list[Document]]:
    return [
        render_scorecard(_WORKER["data"], i, _WORKER["charts"], _WORKER["langs"])
        for i in institution_ids
    ]


def _render_in_processes(
    data: ReportData, institution_ids: list[int], processes: int
) -> Iterator[list[Document]]:
    context = multiprocessing.get_context("fork")
    chunks = [institution_ids[k : k + _CHUNK] for k in range(0, len(institution_ids), _CHUNK)]
    _WORKER.update(data=data, charts=Charts(data), langs={})
    try:
        first_of_language = {data.by_id[i].language: i for i in reversed(institution_ids)}
        _render_chunk(list(first_of_language.values()))
        with ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker) as pool:
            for rendered in pool.map(_render_chunk, chunks):
                yield from rendered
    finally:
        _WORKER.pop("charts").close()
        _WORKER.clear()


def render_processes(setting: int) -> int:
    """The processes to render with: the setting, or one per CPU (at most 8) when it is 0."""
    return setting or min(os.cpu_count() or 1, 8)


@dataclass(frozen=True)
class ReportFiles:
    folder: Path
    agency_html: Path
    agency_pdf: Path
    csv: Path
    scorecards: list[Path]
    rendered: int  # documents rendered (not already stored)


def write_reports(
    conn: psycopg.Connection,
    data: ReportData,
    out_dir: Path,
    *,
    agency_language: str,
    codes: Sequence[str] | None = None,
    processes: int = 1,
) -> ReportFiles:
    """The agency's report and the scorecards (only ``codes``' when given), rendered where
    missing or stale, committed, then written to ``out_dir/<period>-v<version>/``."""
    documents = Documents(conn, data)
    try:
        documents.ensure_agency(agency_language)
        wanted = [i for i in data.rated if not codes or i.code in codes]
        documents.ensure_scorecards([i.id for i in wanted], processes)
        conn.commit()
    finally:
        documents.close()
    names = ["agency.pdf", "agency.html", "rating.csv"] + [
        f"scorecards/{i.code}.{ext}" for i in wanted for ext in ("pdf", "html", "csv")
    ]
    folder = export(conn, data.rating["id"], out_dir / data.folder_name, names)
    return ReportFiles(
        folder=folder,
        agency_html=folder / "agency.html",
        agency_pdf=folder / "agency.pdf",
        csv=folder / "rating.csv",
        scorecards=[folder / "scorecards" / f"{i.code}.pdf" for i in wanted],
        rendered=documents.rendered,
    )


def export(
    conn: psycopg.Connection, rating_id: int, folder: Path, names: Sequence[str] | None = None
) -> Path:
    """Write the rating's stored documents (only ``names`` when given) under ``folder``; a file
    already there with the same bytes is left as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scorecards").mkdir(exist_ok=True)
    with conn.cursor() as cur:
        cur.execute(
            db.named_queries(QUERIES)["documents"],
            {"rating_id": rating_id, "names": list(names) if names is not None else None},
        )
        for name, content in cur:
            path = folder / name
            if not (path.exists() and path.read_bytes() == content):
                temporary = path.with_name(path.name + ".part")
                temporary.write_bytes(content)
                temporary.replace(path)
    return folder
