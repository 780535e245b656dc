"""Realistic notice contexts for previews and tests.

The people are invented (the demo's name lists, ``presswatch.demo.people``), the stories and
accreditation requests are made up, and every link points under ``.example`` (profiles at
``<platform>.example``, stories at ``<source>.example``), so no sample can point at a real person's
page; the institution is a real one, as in the demo registry. The
thresholds (posts per week, response hours, accreditation days, rating bands and weights) are the
project's settings, so a preview shows what the notices will really say.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from presswatch import settings as settings_module
from presswatch.demo.people import HEAD_TITLES, PRESS_SECRETARY, Person, in_language
from presswatch.errors import PresswatchError
from presswatch.notices.render import KINDS, LANGUAGES

UTC = dt.UTC

_INSTITUTION = {
    "uz-Latn": "Raqamli texnologiyalar vazirligi",
    "uz-Cyrl": "Рақамли технологиялар вазирлиги",
    "ru": "Министерство цифровых технологий",
    "en": "Ministry of Digital Technologies",
}
_HEAD = Person("Sherzod", "Boymurodov", female=False)
_PRESS_SECRETARY = Person("Dilnoza", "Xolnazarova", female=True)
_MINISTER = HEAD_TITLES["ministry"]


def _position(person_role: str, language: str) -> str:
    if person_role == "head":
        return in_language(_MINISTER[0], _MINISTER[1], _MINISTER[2], language)
    return in_language(*PRESS_SECRETARY, language)


def _person(person: Person, role: str, language: str) -> dict[str, str]:
    return {"full_name": person.full_name(language), "position_title": _position(role, language)}


# Critical stories, one title per language (uz-Cyrl is transliterated by in_language).
_STORIES = (
    (
        "kun.uz",
        "Davlat xizmatlari portali ikki kundan beri ishlamayapti, foydalanuvchilar shikoyat qilmoqda",
        "Портал госуслуг второй день недоступен, пользователи жалуются",
        "Public services portal down for a second day, users complain",
    ),
    (
        "gazeta.uz",
        "Raqamlashtirish loyihasi muddati yana surildi",
        "Сроки проекта по цифровизации снова перенесены",
        "Digitalisation project deadline postponed again",
    ),
)


def _week(day: dt.date) -> dict[str, Any]:
    """The ISO week (Monday to Sunday) before the one containing ``day``."""
    start = day - dt.timedelta(days=day.weekday() + 7)
    iso = start.isocalendar()
    return {
        "iso_year": iso.year,
        "iso_week": iso.week,
        "start": start,
        "end": start + dt.timedelta(days=6),
    }


def _stories(language: str, kind: str, hours: int, now: dt.datetime) -> list[dict[str, Any]]:
    stories = []
    for index, (source, uz, ru, en) in enumerate(_STORIES):
        if kind == "story_sla_reminder":
            age = dt.timedelta(hours=hours - 5 + index)  # due in a few hours
        elif kind == "story_sla_breach":
            age = dt.timedelta(hours=hours + 3 + 2 * index)
        else:
            age = dt.timedelta(hours=2 * hours + 6 + 3 * index)
        published_at = (now - age).replace(second=0, microsecond=0)
        due_at = published_at + dt.timedelta(hours=hours)
        overdue = max(0, int((now - due_at).total_seconds() // 3600))
        slug = f"{published_at:%Y/%m/%d}/{4711 + index}"
        stories.append(
            {
                "title": in_language(uz, ru, en, language),
                "url": f"https://{source}.example/news/{slug}",
                "source": source,
                "published_at": published_at,
                "due_at": due_at,
                "hours_overdue": 0 if kind == "story_sla_reminder" else overdue,
            }
        )
    return stories


def _rating(kind: str) -> dict[str, Any]:
    config = settings_module.get().rating
    weights = config.weights.model_dump()
    if kind == "rating_accountability":
        scores = {
            "social_presence": 50.0, "posting_regularity": 31.5, "responsiveness": 22.0,
            "accreditation": 60.0, "media_pool": 100.0, "public_council": 0.0,
            "wikipedia": 33.3, "mobile_apps": 50.0, "media_plan": 45.0,
        }  # fmt: skip
        rank, band = 231, "red"
    else:
        scores = {
            "social_presence": 75.0, "posting_regularity": 62.5, "responsiveness": 58.0,
            "accreditation": 90.0, "media_pool": 100.0, "public_council": 100.0,
            "wikipedia": 66.7, "mobile_apps": 50.0, "media_plan": 70.0,
        }  # fmt: skip
        rank, band = 87, "yellow"
    indicators = [
        {"key": key, "score": scores[key], "weight": weight} for key, weight in weights.items()
    ]
    failed = [i["key"] for i in indicators if i["score"] < config.bands.yellow_min]
    return {
        "failed": failed if kind == "rating_accountability" else [],
        "period": {"start": dt.date(2025, 7, 1), "end": dt.date(2025, 12, 31)},
        "score": round(sum(i["score"] * i["weight"] for i in indicators), 1),
        "rank": rank,
        "of_total": 240,
        "band": band,
        "indicators": indicators,
        "bands": {"green_min": config.bands.green_min, "yellow_min": config.bands.yellow_min},
    }


def _league() -> dict[str, Any]:
    names = ["Raqamli texnologiyalar vazirligi", "Adliya vazirligi", "Qurilish vazirligi",
             "Sogʻliqni saqlash vazirligi"]  # fmt: skip
    return {
        "period": {"start": dt.date(2025, 7, 1), "end": dt.date(2025, 12, 31)},
        "label": "2025-H2",
        "status": "provisional",
        "closes_last_day": dt.date(2026, 1, 14),
        "rated": 240,
        "band_counts": {"green": 61, "yellow": 102, "red": 77},
        "top": [{"rank": 1, "name": names[0], "score": 93.4, "band": "green"},
                {"rank": 2, "name": names[1], "score": 90.1, "band": "green"}],
        "accountable": [{"rank": 239, "name": names[2], "score": 21.5, "band": "red"},
                        {"rank": 240, "name": names[3], "score": 18.0, "band": "red"}],
        "shown": 100,
    }  # fmt: skip


def sample_context(kind: str, language: str) -> dict[str, Any]:
    """A realistic context for a notice of ``kind`` in ``language`` (invented people)."""
    if kind not in KINDS:
        raise PresswatchError(f"unknown notice kind {kind!r}; known: {', '.join(KINDS)}")
    if language not in LANGUAGES:
        raise PresswatchError(f"unknown notice language {language!r}")
    config = settings_module.get()
    tz = ZoneInfo(config.timezone)
    now = dt.datetime(2026, 3, 3, 11, 20, tzinfo=tz)  # a Tuesday morning in Tashkent
    issued_on = now.date()
    addressee_role = "press_secretary" if kind.startswith("story_sla") else "head"
    addressee_person = _PRESS_SECRETARY if addressee_role == "press_secretary" else _HEAD
    context: dict[str, Any] = {
        "reference_no": "PW-2026-000123",
        "issued_on": issued_on,
        "deadline": issued_on + dt.timedelta(days=7),
        "addressee": _person(addressee_person, addressee_role, language),
        "institution": {"name": _INSTITUTION[language]},
        "agency": {"name": config.agency.name[language], "email": config.agency.email},
    }

    if kind == "posting_lapse_weekly":
        handle = "sherzod_boymurodov"
        facts = {
            "week": _week(issued_on),
            "min_posts": config.posting.min_posts_per_week,
            "scope": config.posting.scope,
            "total_posts": 1,  # across the accounts (what posting.scope "official" checks)
            "accounts": [
                {
                    "platform": "facebook",
                    "handle": "Sherzod Boymurodov",
                    "url": "https://facebook.example/sherzod.boymurodov",
                    "posts_in_week": 1,
                },
                {
                    "platform": "telegram",
                    "handle": f"@{handle}",
                    "url": f"https://telegram.example/{handle}",
                    "posts_in_week": 0,
                },
            ],
        }
    elif kind == "account_missing_or_unverified":
        month_start = issued_on.replace(day=1) - dt.timedelta(days=1)
        facts = {
            "month": {"start": month_start.replace(day=1), "end": month_start},
            "official": _person(_HEAD, "head", language),
            "missing": [{"platform": "x"}],
            "unverified": [
                {
                    "platform": "instagram",
                    "handle": "@s.boymurodov",
                    "url": "https://instagram.example/s.boymurodov",
                }
            ],
        }
        context["deadline"] = issued_on + dt.timedelta(days=30)
    elif kind == "accreditation_overdue":
        max_days = config.accreditation.max_days
        requests = []
        for ref, name, applicant_type, outlet, age in (
            ("ACR-2026-0457", Person("Malika", "Suyunqulova", True), "journalist", "Kun.uz", 6),
            ("ACR-2026-0461", Person("Javlon", "Poyonboyev", False), "blogger", None, 4),
        ):
            requested_on = issued_on - dt.timedelta(days=age)
            requests.append(
                {
                    "external_ref": ref,
                    "applicant_name": name.full_name(language),
                    "applicant_type": applicant_type,
                    "outlet": outlet,
                    "requested_on": requested_on,
                    "due_on": requested_on + dt.timedelta(days=max_days),
                    "days_pending": age,
                }
            )
        facts = {"max_days": max_days, "requests": requests}
        context["deadline"] = issued_on + dt.timedelta(days=2)
    elif kind == "wikipedia_missing":
        facts = {
            "missing": ["uz", "en"],
            "existing": [
                {
                    "lang": "ru",
                    "title": "Министерство цифровых технологий Республики Узбекистан",
                    "url": "https://ru.wikipedia.org/wiki/Министерство_цифровых_технологий_Республики_Узбекистан",
                }
            ],
        }
        context["deadline"] = issued_on + dt.timedelta(days=60)
    elif kind.startswith("story_sla"):
        hours = config.sla.response_hours
        facts = {
            "response_hours": hours,
            "stories": _stories(language, kind, hours, now.astimezone(UTC)),
        }
        context["deadline"] = (
            None if kind == "story_sla_reminder" else issued_on + dt.timedelta(days=2)
        )
        if kind == "story_sla_escalation":
            context["addressee"] = _person(_HEAD, "head", language)
    elif kind == "rating_league_table":
        facts = _league()
        context["issued_on"] = dt.date(2026, 1, 5)
        context["deadline"] = None
        from presswatch.notices.outbox import agency_addressee

        context["addressee"] = agency_addressee(language)
        context["institution"] = {"name": config.agency.name[language]}
    else:
        facts = _rating(kind)
        context["issued_on"] = dt.date(2026, 1, 5)
        context["deadline"] = dt.date(2026, 1, 20) if kind == "rating_accountability" else None
    context["facts"] = facts
    return context
