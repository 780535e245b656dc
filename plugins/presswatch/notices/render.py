"""Render an official notice (subject, HTML and plain text) in the institution's language.

Templates live in ``include/templates/notices/<kind>/<language>.{html,txt}.j2`` and extend a
per-language layout (``notices/_layout/<language>.{html,txt}.j2``) that carries the letterhead,
reference number, date, addressee, legal basis and sender. The subject is the ``subject`` block
of the plain-text template, rendered once and whitespace-collapsed (so it can never carry a line
break into a mail header); the HTML layout receives it as ``subject``.

Labels (platform, band, indicator and language names, the legal citation, the signature...)
come from per-language catalogs ``include/templates/i18n/<language>.yaml`` through ``t("key")``.
A key missing in a language falls back to the English text and is listed in
``RenderedNotice.fallbacks``; a key missing in English too is an error, so no key can ever show
in a notice. A missing kind or language template falls back to the English one the same way.

The environment is sandboxed, undefined variables raise (``StrictUndefined``), HTML is
autoescaped and plain text is not. Dates are shown in the language's own format in the
settings' time zone (Asia/Tashkent).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jinja2 import StrictUndefined, Template, TemplateError, TemplateNotFound, Undefined
from jinja2.loaders import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from presswatch import settings as settings_module
from presswatch.errors import PresswatchError
from presswatch.paths import TEMPLATES

KINDS: tuple[str, ...] = (
    "posting_lapse_weekly",
    "account_missing_or_unverified",
    "accreditation_overdue",
    "wikipedia_missing",
    "story_sla_reminder",
    "story_sla_breach",
    "story_sla_escalation",
    "rating_scorecard",
    "rating_accountability",
    "rating_league_table",
)
LANGUAGES: tuple[str, ...] = ("uz-Latn", "uz-Cyrl", "ru", "en")
FALLBACK_LANGUAGE = "en"

# Names the renderer puts into every template's context; a caller's context may not use them.
RESERVED_NAMES = frozenset({"kind", "language", "subject", "policy"})


class NoticeRenderError(PresswatchError):
    """A notice could not be rendered: a missing context variable, catalog key or template."""


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    html: str
    text: str
    fallbacks: tuple[str, ...]  # catalog keys and template names that fell back to English


# --- language-specific formatting -----------------------------------------------------------

_MONTHS_GENITIVE = {
    "uz-Latn": ("yanvar", "fevral", "mart", "aprel", "may", "iyun",
                "iyul", "avgust", "sentabr", "oktabr", "noyabr", "dekabr"),
    "uz-Cyrl": ("январь", "февраль", "март", "апрель", "май", "июнь",
                "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня",
           "июля", "августа", "сентября", "октября", "ноября", "декабря"),
    "en": ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December"),
}  # fmt: skip
_MONTHS_NOMINATIVE = {
    **_MONTHS_GENITIVE,
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь",
           "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"),
}  # fmt: skip
_DECIMAL_SEPARATOR = {"uz-Latn": ",", "uz-Cyrl": ",", "ru": ",", "en": "."}
_GROUP_SEPARATOR = {"uz-Latn": "\u00a0", "uz-Cyrl": "\u00a0", "ru": "\u00a0", "en": ","}
_PERCENT_SIGN = {"uz-Latn": "%", "uz-Cyrl": "%", "ru": "\u00a0%", "en": "%"}
_PLURAL_FORMS = {"uz-Latn": 1, "uz-Cyrl": 1, "ru": 3, "en": 2}


def _defined(value: Any) -> Any:
    """The value; an undefined one raises Jinja's error naming the missing variable."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _local(value: Any, tz: dt.tzinfo, filter_name: str) -> dt.datetime:
    _defined(value)
    if not isinstance(value, dt.datetime):
        raise NoticeRenderError(f"{filter_name}: expected a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NoticeRenderError(
            f"{filter_name}: {value!r} has no time zone; pass an aware datetime"
        )
    return value.astimezone(tz)


def _as_date(value: Any, tz: dt.tzinfo, filter_name: str) -> dt.date:
    _defined(value)
    if isinstance(value, dt.datetime):
        return _local(value, tz, filter_name).date()
    if isinstance(value, dt.date):
        return value
    raise NoticeRenderError(f"{filter_name}: expected a date, got {value!r}")


class _Formats:
    """Dates, numbers and plurals as one language writes them."""

    def __init__(self, language: str, tz: dt.tzinfo) -> None:
        self.language = language
        self.tz = tz

    def _day_month(self, day: dt.date) -> str:
        month = _MONTHS_GENITIVE[self.language][day.month - 1]
        if self.language == "uz-Latn":
            return f"{day.day}-{month}"
        return f"{day.day} {month}"

    def _with_year(self, day_month: str, year: int) -> str:
        if self.language == "uz-Latn":
            return f"{year}-yil {day_month}"
        if self.language == "uz-Cyrl":
            return f"{year} йил {day_month}"
        if self.language == "ru":
            return f"{day_month} {year}\u00a0г."
        return f"{day_month} {year}"

    def long_date(self, value: Any) -> str:
        """uz-Latn "2026-yil 3-mart", uz-Cyrl "2026 йил 3 март", ru "3 марта 2026 г.",
        en "3 March 2026"; an aware datetime is taken at its local date."""
        day = _as_date(value, self.tz, "long_date")
        return self._with_year(self._day_month(day), day.year)

    def long_date_with(self, value: Any, suffix: str) -> str:
        """The long date with an Uzbek suffix joined to the month ("2026-yil 6-martgacha",
        "2026 йил 6 январгача": a Cyrillic month drops its soft sign before the suffix)."""
        text = self.long_date(value)
        if self.language == "uz-Cyrl" and text.endswith("ь"):
            text = text[:-1]
        return text + suffix

    def datetime_local(self, value: Any) -> str:
        """The local date and the 24-hour time: "3 March 2026, 14:05"."""
        local = _local(value, self.tz, "datetime_local")
        return f"{self.long_date(local.date())}, {local:%H:%M}"

    def month_year(self, value: Any) -> str:
        day = _as_date(value, self.tz, "month_year")
        return self._with_year(_MONTHS_NOMINATIVE[self.language][day.month - 1], day.year)

    def date_range(self, start: Any, end: Any) -> str:
        """Two dates joined by a dash, the shared year written once."""
        first = _as_date(start, self.tz, "date_range")
        last = _as_date(end, self.tz, "date_range")
        if first.year != last.year:
            return f"{self.long_date(first)} \u2013 {self.long_date(last)}"
        if self.language in ("uz-Latn", "uz-Cyrl"):
            return f"{self._with_year(self._day_month(first), first.year)} \u2013 {self._day_month(last)}"
        return (
            f"{self._day_month(first)} \u2013 {self._with_year(self._day_month(last), last.year)}"
        )

    def number(self, value: Any, digits: int | None = None) -> str:
        """A number with the language's decimal and thousands separators; ``digits`` fixes the
        decimals, else a whole number shows none and a fraction up to two."""
        _defined(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NoticeRenderError(f"number: expected a number, got {value!r}")
        # Half up, as people round (11.25 -> 11.3), not the float's half-even.
        exact = Decimal(str(value)).quantize(
            Decimal(1).scaleb(-(2 if digits is None else digits)), rounding=ROUND_HALF_UP
        )
        text = f"{exact:,f}"
        if digits is None and "." in text:
            text = text.rstrip("0").rstrip(".")
        return (
            text.replace(",", "\x00")
            .replace(".", _DECIMAL_SEPARATOR[self.language])
            .replace("\x00", _GROUP_SEPARATOR[self.language])
        )

    def percent(self, fraction: Any) -> str:
        """A weight given as a fraction (0.15) as a percentage ("15%", ru "15 %")."""
        share = round(_defined(fraction) * 100, 1)
        return self.number(share) + _PERCENT_SIGN[self.language]

    def plural(self, count: int, *forms: str) -> str:
        """The noun form for a count: en (one, other); ru (one, few, many); uz (one form)."""
        expected = _PLURAL_FORMS[self.language]
        if len(forms) != expected:
            raise NoticeRenderError(
                f"plural() in {self.language} takes {expected} form(s), got {len(forms)}"
            )
        n = abs(int(_defined(count)))
        if self.language == "en":
            return forms[0] if n == 1 else forms[1]
        if self.language == "ru":
            if n % 10 == 1 and n % 100 != 11:
                return forms[0]
            if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
                return forms[1]
            return forms[2]
        return forms[0]


# --- helpers available to every template ---------------------------------------------------

_FEMALE_PARTICLES = {"qizi", "қизи", "кизи", "kizi"}
_MALE_PARTICLES = {"oʻgʻli", "o'g'li", "ogli", "ugli", "ўғли", "угли", "огли"}
_FEMALE_ENDINGS = ("ova", "eva", "ina", "ovna", "evna", "ова", "ева", "ёва", "ина", "овна", "евна")
_MALE_ENDINGS = ("ov", "ev", "in", "ovich", "evich", "ов", "ев", "ёв", "ин", "ович", "евич")


def grammatical_gender(person: Any) -> str:
    """ "male", "female" or "neutral", for salutations that agree with the addressee
    (ru "Уважаемый"/"Уважаемая"). An explicit ``gender`` in the person wins; otherwise the
    name's patronymic particle (qizi, oʻgʻli) or surname ending (-ova, -ov) decides."""
    explicit = person.get("gender") if isinstance(person, dict) else None
    if explicit in ("male", "female"):
        return explicit
    name = person.get("full_name") if isinstance(person, dict) else str(person)
    if not isinstance(name, str):
        raise NoticeRenderError(f"the addressee has no full_name: {person!r}")
    words = [w.strip(".,") for w in unicodedata.normalize("NFC", name).lower().split()]
    if any(w in _FEMALE_PARTICLES for w in words):
        return "female"
    if any(w in _MALE_PARTICLES for w in words):
        return "male"
    for word in reversed(words):
        if word.endswith(_FEMALE_ENDINGS):
            return "female"
        if word.endswith(_MALE_ENDINGS):
            return "male"
    return "neutral"


def _safe_href(url: Any) -> str | None:
    """The URL if it is an http(s) or mailto link, else None (no javascript: or data:)."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https", "mailto") else None


def link(url: Any, text: Any = None) -> Markup:
    """An HTML link with escaped text; a URL that is not http(s)/mailto is shown, not linked."""
    label = url if text is None else text
    href = _safe_href(url)
    if href is None:
        return Markup("<span>{}</span>").format(label)
    return Markup('<a href="{}" style="color:#1f3a5f;text-decoration:underline;">{}</a>').format(
        href, label
    )


# Inline styles for the HTML notices (mail clients drop <style> sheets and external CSS).
CSS = {
    "table": "width:100%;border-collapse:collapse;margin:12px 0 16px 0;font-size:13px;",
    "th": (
        "border:1px solid #b8c0cc;background:#e9eef4;color:#1f3a5f;padding:6px 8px;"
        "text-align:left;vertical-align:bottom;font-weight:bold;"
    ),
    "td": (
        "border:1px solid #b8c0cc;padding:6px 8px;vertical-align:top;text-align:left;"
        "word-break:break-word;overflow-wrap:anywhere;"
    ),
    "num": (
        "border:1px solid #b8c0cc;padding:6px 8px;vertical-align:top;text-align:right;"
        "white-space:nowrap;"
    ),
    "alert": "color:#9b1c1c;font-weight:bold;",
    "p": "margin:0 0 12px 0;",
    "summary_label": "padding:4px 12px 4px 0;color:#555555;vertical-align:top;white-space:nowrap;",
    "summary_value": "padding:4px 0;font-weight:bold;vertical-align:top;",
    "band_green": "background:#1e7b34;color:#ffffff;padding:2px 8px;border-radius:3px;",
    "band_yellow": "background:#f2c200;color:#1a1a1a;padding:2px 8px;border-radius:3px;",
    "band_red": "background:#b42318;color:#ffffff;padding:2px 8px;border-radius:3px;",
}


# --- catalogs --------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_fallbacks: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "presswatch_notice_fallbacks", default=None
)


def _flatten(tree: Any, prefix: str, source: Path) -> dict[str, str]:
    if not isinstance(tree, dict):
        raise PresswatchError(f"{source}: expected a mapping at {prefix or 'the top level'}")
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if not isinstance(key, str):  # YAML reads a bare no/yes/on/off key as a boolean
            raise PresswatchError(f"{source}: key {key!r} under {prefix or 'the top'}: quote it")
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, dotted, source))
        elif isinstance(value, str) and value.strip():
            flat[dotted] = value.strip()
        else:
            raise PresswatchError(f"{source}: {dotted}: expected a non-empty text")
    return flat


def load_catalog(path: Path) -> dict[str, str]:
    """A catalog file as a flat {"dotted.key": text} mapping; a missing file is empty."""
    if not path.exists():
        return {}
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PresswatchError(f"{path}: not valid YAML: {exc}") from exc
    return _flatten(tree, "", path)


def _fill(text: str, key: str, params: dict[str, Any]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in params:
            raise NoticeRenderError(f"catalog text {key!r} needs the parameter {name!r}")
        return str(params[name])

    return _PLACEHOLDER.sub(value, text)


class _Translator:
    """``t(key, **params)``: the language's text, else the English one (recorded), else error."""

    def __init__(self, language: str, catalog: dict[str, str], fallback: dict[str, str]) -> None:
        self.language = language
        self.catalog = catalog
        self.fallback = fallback

    def __call__(self, key: str, **params: Any) -> str:
        text = self.catalog.get(key)
        if text is None:
            text = self.fallback.get(key)
            if text is None:
                raise NoticeRenderError(
                    f"catalog key {key!r} is missing in {self.language} and in "
                    f"{FALLBACK_LANGUAGE}; add it to i18n/{FALLBACK_LANGUAGE}.yaml"
                )
            recorded = _fallbacks.get()
            if recorded is not None:
                recorded.append(key)
        return _fill(text, key, params)


# --- the renderer ----------------------------------------------------------------------------


def _autoescape(template_name: str | None) -> bool:
    return template_name is not None and template_name.endswith(".html.j2")


def _tidy_text(text: str) -> str:
    lines = [line if line.strip() else "" for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def template_name(kind: str, language: str, part: str) -> str:
    return f"notices/{kind}/{language}.{part}.j2"


class NoticeRenderer:
    """Renders notices from one templates folder (the project's, or a copy in tests)."""

    def __init__(self, templates_dir: Path | str = TEMPLATES, settings: Any = None) -> None:
        self.templates_dir = Path(templates_dir)
        self._settings = settings
        self._environments: dict[str, SandboxedEnvironment] = {}
        self._catalogs: dict[str, dict[str, str]] = {}

    @property
    def settings(self):
        if self._settings is None:
            self._settings = settings_module.get()
        return self._settings

    def catalog(self, language: str) -> dict[str, str]:
        if language not in self._catalogs:
            self._catalogs[language] = load_catalog(
                self.templates_dir / "i18n" / f"{language}.yaml"
            )
        return self._catalogs[language]

    def environment(self, language: str) -> SandboxedEnvironment:
        if language not in self._environments:
            formats = _Formats(language, self.settings.tz)
            env = SandboxedEnvironment(
                loader=FileSystemLoader(self.templates_dir),
                autoescape=_autoescape,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
                auto_reload=False,
            )
            env.filters.update(
                long_date=formats.long_date,
                long_date_with=formats.long_date_with,
                datetime_local=formats.datetime_local,
                month_year=formats.month_year,
                date_range=formats.date_range,
                number=formats.number,
                percent=formats.percent,
            )
            env.globals.update(
                t=_Translator(language, self.catalog(language), self.catalog(FALLBACK_LANGUAGE)),
                plural=formats.plural,
                gender=grammatical_gender,
                link=link,
                css=CSS,
            )
            self._environments[language] = env
        return self._environments[language]

    def _template(self, kind: str, language: str, part: str, recorded: list[str]) -> Template:
        """The kind's template in the language, else the English one (recorded as a fallback),
        loaded by the environment of its own language, so a fallback is English throughout."""
        name = template_name(kind, language, part)
        try:
            return self.environment(language).get_template(name)
        except TemplateNotFound:
            if language == FALLBACK_LANGUAGE:
                raise NoticeRenderError(f"no template {name} in {self.templates_dir}") from None
        recorded.append(name)
        return self._template(kind, FALLBACK_LANGUAGE, part, recorded)

    def render(self, kind: str, language: str, context: dict) -> RenderedNotice:
        if kind not in KINDS:
            raise PresswatchError(f"unknown notice kind {kind!r}; known: {', '.join(KINDS)}")
        if language not in LANGUAGES:
            raise PresswatchError(
                f"unknown notice language {language!r}; known: {', '.join(LANGUAGES)}"
            )
        if not isinstance(context, dict):
            raise PresswatchError(f"notice context must be a dict, got {type(context).__name__}")
        clash = RESERVED_NAMES.intersection(context)
        if clash:
            raise PresswatchError(
                f"notice context may not define {', '.join(sorted(clash))} (set by the renderer)"
            )

        recorded: list[str] = []
        token = _fallbacks.set(recorded)
        try:
            variables = {
                **context,
                "kind": kind,
                "language": language,
                "policy": self.settings.as_json(),
            }
            text_template = self._template(kind, language, "txt", recorded)
            subject_block = text_template.blocks.get("subject")
            if subject_block is None:
                raise NoticeRenderError(f"{text_template.name} has no subject block")
            subject = " ".join("".join(subject_block(text_template.new_context(variables))).split())
            if not subject:
                raise NoticeRenderError(f"{text_template.name}: the subject is empty")
            variables["subject"] = subject
            text = _tidy_text(text_template.render(variables))
            html_template = self._template(kind, language, "html", recorded)
            html = html_template.render(variables).strip() + "\n"
        except TemplateError as exc:
            raise NoticeRenderError(f"notice {kind} in {language}: {exc}") from exc
        finally:
            _fallbacks.reset(token)
        return RenderedNotice(
            subject=subject, html=html, text=text, fallbacks=tuple(dict.fromkeys(recorded))
        )


@lru_cache(maxsize=1)
def default_renderer() -> NoticeRenderer:
    return NoticeRenderer()


def render(kind: str, language: str, context: dict) -> RenderedNotice:
    """The notice of this kind in this language, from the project's templates."""
    return default_renderer().render(kind, language, context)
