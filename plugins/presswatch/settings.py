"""Policy settings (``include/settings.yaml``), validated when loaded.

Every key is declared here; an unknown key, a missing one or a bad value fails with an error
that names it by its dotted path (``rating.weights.posting_regularity: ...``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from presswatch.errors import PresswatchError
from presswatch.paths import SETTINGS_FILE

Language = Literal["uz-Latn", "uz-Cyrl", "ru", "en"]
Platform = Literal["facebook", "x", "instagram", "telegram"]
LANGUAGES: tuple[str, ...] = ("uz-Latn", "uz-Cyrl", "ru", "en")
PLATFORMS: tuple[str, ...] = ("facebook", "x", "instagram", "telegram")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Posting(_Strict):
    required_platforms: tuple[Platform, ...] = Field(min_length=1)
    require_verified: bool
    min_posts_per_week: int = Field(ge=1, le=100)
    scope: Literal["account", "official"]
    rolling_window_days: int = Field(ge=1, le=31)


class WorkingHours(_Strict):
    start: dt.time
    end: dt.time
    weekdays: tuple[int, ...] = Field(min_length=1)

    @field_validator("weekdays")
    @classmethod
    def _iso_weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 or d > 7 for d in value):
            raise ValueError("weekdays are ISO numbers 1 (Monday) to 7 (Sunday)")
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class Holidays(_Strict):
    """Days off besides the weekend, for the working-hours mode: the ``holidays`` library's
    calendar of ``country`` (public holidays, their observed days and the days off it knows
    were declared), plus the one-off days the government declares that it does not know yet,
    minus the days declared working days (a Saturday worked in place of a bridge day)."""

    country: str = Field(pattern=r"^[A-Z]{2}$")
    extra_days_off: tuple[dt.date, ...]
    extra_working_days: tuple[dt.date, ...]

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        import holidays

        if value not in holidays.list_supported_countries():
            raise ValueError(f"the holidays library has no calendar for {value!r}")
        return value


class Sla(_Strict):
    clock_start: Literal["publication", "detection"]
    calendar: Literal["calendar_hours", "working_hours"]
    response_hours: int = Field(ge=1, le=24 * 14)
    reminder_before_hours: int = Field(ge=0)
    escalation_after_hours: int = Field(ge=1)
    working_hours: WorkingHours
    holidays: Holidays

    @model_validator(mode="after")
    def _reminder_inside_window(self) -> Sla:
        if self.reminder_before_hours >= self.response_hours:
            raise ValueError("reminder_before_hours must be less than response_hours")
        return self


class Stories(_Strict):
    """Story ingestion and criticality (R3)."""

    critical_threshold: float = Field(gt=0)  # a lexicon score at least this makes it critical
    max_title_chars: int = Field(ge=50, le=2000)  # longer titles are cut (and quarantined)
    max_body_chars: int = Field(ge=1000, le=10_000_000)  # longer texts are cut (and quarantined)
    match_chars: int = Field(ge=100, le=100_000)  # of the text, matched and scored with the title
    response_title_share: float = Field(
        gt=0, le=1
    )  # a post names a story: this share of its title's words


class Accreditation(_Strict):
    max_days: int = Field(ge=1, le=60)


class Wikipedia(_Strict):
    languages: tuple[Literal["uz", "ru", "en"], ...] = Field(min_length=1)


class Registry(_Strict):
    """The registry import's safeguard: a folder that would deactivate more than this share of
    a table's active rows is refused (a truncated or wrong folder, not a real change), unless
    the import is told to allow it."""

    max_deactivation_share: float = Field(ge=0, le=1)


class Weights(_Strict):
    social_presence: float = Field(ge=0)
    posting_regularity: float = Field(ge=0)
    responsiveness: float = Field(ge=0)
    accreditation: float = Field(ge=0)
    media_pool: float = Field(ge=0)
    public_council: float = Field(ge=0)
    wikipedia: float = Field(ge=0)
    mobile_apps: float = Field(ge=0)
    media_plan: float = Field(ge=0)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = sum(self.model_dump().values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to 1 (they sum to {total:g})")
        return self


class Bands(_Strict):
    green_min: float = Field(gt=0, le=100)
    yellow_min: float = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.yellow_min >= self.green_min:
            raise ValueError("yellow_min must be below green_min")
        return self


class Accountability(_Strict):
    """Held accountable once a rating is final: the red band (``red_band``) and at least the
    lowest ``lowest_share`` of the rated, ceil(share * rated), all of those tied at the cut."""

    red_band: bool
    lowest_share: float = Field(ge=0, le=1)


class Rating(_Strict):
    weights: Weights
    bands: Bands
    accountability: Accountability
    evidence_ids: int = Field(ge=0, le=1000)
    # Not part of a methodology (they change no number): the dispute window and the deadline
    # of an accountability notice's explanation.
    dispute_window_days: int = Field(ge=0, le=90)
    explanation_days: int = Field(ge=1, le=90)
    # Processes a scorecard task renders its documents with (0: one per CPU, at most 8).
    render_processes: int = Field(default=0, ge=0, le=64)


class Agency(_Strict):
    name: dict[Language, str]
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    language: Language

    @field_validator("name")
    @classmethod
    def _every_language(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [lang for lang in LANGUAGES if not value.get(lang)]
        if missing:
            raise ValueError(f"missing the name in {', '.join(missing)}")
        return value


class Settings(_Strict):
    timezone: str
    languages: tuple[Language, ...] = Field(min_length=1)
    fallback_language: Language
    posting: Posting
    sla: Sla
    stories: Stories
    accreditation: Accreditation
    wikipedia: Wikipedia
    registry: Registry
    rating: Rating
    agency: Agency

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_json(self) -> dict:
        return self.model_dump(mode="json")

    def sha256(self) -> str:
        """A stable fingerprint, stored beside results computed with these settings."""
        canonical = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _describe(error: ValidationError, source: Path) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{source}: {key}: {message}")
    return "; ".join(lines)


def load(path: Path | str = SETTINGS_FILE) -> Settings:
    """Read and validate a settings file; raise PresswatchError naming every bad key."""
    source = Path(path)
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PresswatchError(f"settings file not found: {source}") from exc
    except yaml.YAMLError as exc:
        raise PresswatchError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PresswatchError(f"{source}: expected a mapping of settings at the top level")
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise PresswatchError(_describe(exc, source)) from None


@lru_cache(maxsize=1)
def get() -> Settings:
    """The project's settings, loaded once per process."""
    return load()
