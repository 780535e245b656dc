"""The demo registry: institutions at any scale, their invented people, accounts and facts,
written as a registry folder of CSV files (the format ``presswatch.registry`` imports).

The first 28 institutions are the real ones; then come the other regional administrations,
the other national bodies, the city and district administrations, the regional departments of
the national bodies, their district divisions, and numbered schools (the only open-ended tier).
Whatever the scale, the first N institutions are the same and so is everything about them:
each institution's details come from a random generator seeded with its code alone, and names
that must be unique (handles, platform ids) are settled in catalogue order. The registry does
not depend on the demo seed, which drives behaviour (posting, stories) but not who is who.
``feeds.csv`` lists the news sites' RSS and Atom feeds (``people.STORY_FEEDS``), the same at
every scale.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from presswatch.demo import catalogue
from presswatch.demo.people import (
    BLOG_PLATFORMS,
    HEAD_TITLES,
    OUTLETS,
    STORY_FEEDS,
    Person,
    invent_person,
    latin_to_ascii,
    latin_to_cyrillic,
    position_title,
    slug,
)
from presswatch.paths import DEMO_REGISTRY

REAL_COUNT = len(catalogue.REAL_INSTITUTIONS)
PLATFORMS = ("facebook", "x", "instagram", "telegram")

# Tiers drive how much of everything an institution has (followers, stories, apps...).
NATIONAL = "national"
REGIONAL_ADMIN = "regional_admin"
LOCAL_ADMIN = "local_admin"
REGIONAL_BRANCH = "regional_branch"
DISTRICT_BRANCH = "district_branch"
SCHOOL = "school"
TIERS = (NATIONAL, REGIONAL_ADMIN, LOCAL_ADMIN, REGIONAL_BRANCH, DISTRICT_BRANCH, SCHOOL)

COLUMNS: dict[str, tuple[str, ...]] = {
    "institutions.csv": ("code", "kind", "parent_code", "region_code", "name_uz_latn", "name_uz_cyrl",
                         "name_ru", "name_en", "website", "preferred_language", "active"),
    "officials.csv": ("code", "institution_code", "role", "full_name", "position_title", "email", "active"),
    "accounts.csv": ("institution_code", "official_code", "platform", "handle", "external_id", "active",
                     "verified"),
    "wikipedia.csv": ("institution_code", "lang", "title"),
    "apps.csv": ("institution_code", "os", "store_url", "open_data_integrated"),
    "media_pool.csv": ("institution_code", "full_name", "member_type", "outlet", "joined_on", "left_on"),
    "council.csv": ("institution_code", "full_name", "member_type", "joined_on", "left_on"),
    "feeds.csv": ("code", "name", "url", "language", "active"),
}  # fmt: skip


@dataclass(frozen=True)
class DemoInstitution:
    code: str
    kind: str
    parent_code: str | None
    region_code: str
    name_uz_latn: str
    name_uz_cyrl: str
    name_ru: str
    name_en: str
    website: str | None
    preferred_language: str
    tier: str
    head_title: tuple[str, str, str, str]  # (uz, ru, en, deputy ru), see people.HEAD_TITLES
    handle_stem: str  # ASCII, the base of the institution's own page handles

    @property
    def domain(self) -> str:
        """The reserved domain of its e-mail addresses (hostnames cannot hold underscores)."""
        return self.code.replace("_", "-") + ".gov.example"


@dataclass(frozen=True)
class Place:
    """A city or district: the unit of local administrations, divisions and schools."""

    code: str  # of its hokimlik: "hazorasp_dist", "kuvasay_city"
    region: catalogue.Region
    is_city: bool
    name_uz: str  # "Hazorasp tumani", "Quvasoy shahar"
    name_ru: str  # genitive: "Хазараспского района", "города Кувасай"
    name_en: str  # "Hazorasp District", "Kuvasay City"
    handle_word: str


def _places() -> list[Place]:
    regions = {r.code: r for r in catalogue.REGIONS}
    real_by_region: dict[tuple[str, bool], list[tuple[str, tuple]]] = {}
    for code, (region, kind, *names) in catalogue.REAL_LOCAL.items():
        real_by_region.setdefault((region, kind == "city"), []).append((code, tuple(names)))
    places: list[Place] = []
    for region in catalogue.REGIONS:
        entries: list[tuple[str | None, bool, str, str, str]] = []
        for latin, ru, en in catalogue.CITIES[region.code]:
            entries.append((None, True, latin, ru, en))
        for code, (latin, ru, en) in real_by_region.get((region.code, True), []):
            entries.append((code, True, latin, ru, en))
        for latin, ru_adjective in catalogue.DISTRICTS[region.code]:
            entries.append((None, False, latin, ru_adjective, latin_to_ascii(latin)))
        for code, (latin, ru, en) in real_by_region.get((region.code, False), []):
            entries.append((code, False, latin, ru, en))
        for code, is_city, latin, ru, en in entries:
            suffix = "city" if is_city else "dist"
            places.append(
                Place(
                    code=code or f"{slug(latin)}_{suffix}",
                    region=regions[region.code],
                    is_city=is_city,
                    name_uz=f"{latin} {'shahar' if is_city else 'tumani'}",
                    name_ru=f"города {ru}" if is_city else f"{ru} района",
                    name_en=f"{en} {'City' if is_city else 'District'}",
                    handle_word=slug(latin),
                )
            )
    codes = [p.code for p in places]
    assert len(codes) == len(set(codes)), "place codes must be unique"
    return places


PLACES: tuple[Place, ...] = tuple(_places())


# --- the catalogue of institutions, in the order the scale takes them ---------------------


def _head_title_for_branch(template_uz: str) -> tuple[str, str, str, str]:
    return HEAD_TITLES[template_uz.split()[-1]]


def _language(rng: random.Random, tier: str) -> str:
    # National bodies write more often in Russian and English than local ones do.
    weights = (50, 15, 25, 10) if tier == NATIONAL else (60, 20, 18, 2)
    return rng.choices(("uz-Latn", "uz-Cyrl", "ru", "en"), weights)[0]


def _synthetic(code: str, kind: str, parent: str | None, region: str, uz: str, ru: str, en: str,
               tier: str, head_title: tuple[str, str, str, str], handle_stem: str,
               website_share: float) -> DemoInstitution:  # fmt: skip
    rng = random.Random(f"presswatch-demo/institution/{code}")
    website = code.replace("_", "-") + ".gov.example" if rng.random() < website_share else None
    return DemoInstitution(
        code, kind, parent, region, uz, latin_to_cyrillic(uz), ru, en, website,
        _language(rng, tier), tier, head_title, handle_stem,
    )  # fmt: skip


def _real() -> Iterator[DemoInstitution]:
    for real in catalogue.REAL_INSTITUTIONS:
        if real.kind in (
            "regional_administration",
            "city_administration",
            "district_administration",
        ):
            tier = REGIONAL_ADMIN if real.parent_code is None else LOCAL_ADMIN
        else:
            tier = NATIONAL
        body = next((b for b in catalogue.BODIES if b.code == real.code), None)
        head = (body.head_title if body else None) or HEAD_TITLES[real.kind]
        stem = real.website.split(".")[0] if real.website else slug(real.name_uz_latn.split()[0])
        yield DemoInstitution(
            real.code, real.kind, real.parent_code, real.region_code, real.name_uz_latn,
            real.name_uz_cyrl, real.name_ru, real.name_en, real.website, real.preferred_language,
            tier, head, stem,
        )  # fmt: skip


def _regional_administrations(existing: set[str]) -> Iterator[DemoInstitution]:
    for region in catalogue.REGIONS:
        if region.admin_code in existing:
            continue
        if region.code == "karakalpakstan":
            uz = f"{region.name_uz} Vazirlar Kengashi"
            ru, en = (
                "Совет Министров Республики Каракалпакстан",
                "Council of Ministers of the Republic of Karakalpakstan",
            )
            head = HEAD_TITLES["karakalpakstan"]
        else:
            uz, ru, en = (
                f"{region.name_uz} hokimligi",
                f"Хокимият {region.genitive_ru}",
                f"{region.adjective_en} Khokimiyat",
            )
            head = HEAD_TITLES["regional_administration"]
        stem = slug(region.name_uz.split()[0]) + "_hokimligi"
        yield _synthetic(region.admin_code, "regional_administration", None, region.code, uz, ru, en,
                         REGIONAL_ADMIN, head, stem, 0.9)  # fmt: skip


def _national_bodies() -> Iterator[DemoInstitution]:
    for body in catalogue.BODIES:
        if body.names is None:
            continue
        uz, ru, en = body.names
        head = body.head_title or HEAD_TITLES[body.kind]
        stem = "_".join(slug(w) for w in uz.split()[:2])
        yield _synthetic(
            body.code, body.kind, None, "national", uz, ru, en, NATIONAL, head, stem, 0.95
        )


def _local_administrations(existing: set[str]) -> Iterator[DemoInstitution]:
    for place in PLACES:
        if place.code in existing:
            continue
        kind = "city_administration" if place.is_city else "district_administration"
        # Tashkent's districts answer to the city; the others to their region.
        parent = place.region.admin_code
        yield _synthetic(place.code, kind, parent, place.region.code, f"{place.name_uz} hokimligi",
                         f"Хокимият {place.name_ru}", f"{place.name_en} Khokimiyat", LOCAL_ADMIN,
                         HEAD_TITLES[kind], f"{place.handle_word}_hokimligi", 0.7)  # fmt: skip


def _fill(branch: catalogue.Branch, uz: str, ru: str, en: str) -> tuple[str, str, str]:
    return (
        branch.uz.format(place=uz),
        branch.ru.format(place_ru=ru),
        branch.en.format(place_en=en),
    )


def _regional_branches() -> Iterator[DemoInstitution]:
    for body in catalogue.BODIES:
        if body.regional is None:
            continue
        for region in catalogue.REGIONS:
            uz, ru, en = _fill(
                body.regional, region.name_uz, region.genitive_ru, region.adjective_en
            )
            stem = slug(region.name_uz.split()[0]) + "_" + slug(body.regional.uz.split()[1])
            yield _synthetic(f"{body.code}.{region.code}", body.regional.kind or body.kind, body.code,
                             region.code, uz, ru, en, REGIONAL_BRANCH,
                             _head_title_for_branch(body.regional.uz), stem, 0.6)  # fmt: skip


def _district_branches() -> Iterator[DemoInstitution]:
    bodies = {b.code: b for b in catalogue.BODIES}
    for code in catalogue.DISTRICT_BODY_ORDER:
        body = bodies[code]
        assert body.district is not None and body.regional is not None, code
        for place in PLACES:
            uz, ru, en = _fill(body.district, place.name_uz, place.name_ru, place.name_en)
            stem = place.handle_word + "_" + slug(body.district.uz.split()[1])
            yield _synthetic(f"{body.code}.{place.code}", body.district.kind or body.kind,
                             f"{body.code}.{place.region.code}", place.region.code, uz, ru, en,
                             DISTRICT_BRANCH, _head_title_for_branch(body.district.uz), stem, 0.3)  # fmt: skip


def _schools() -> Iterator[DemoInstitution]:
    for number in itertools.count(1):
        for place in PLACES:
            yield _synthetic(
                f"maktab{number}.{place.code}", "other", f"school.{place.code}", place.region.code,
                f"{place.name_uz} {number}-son umumiy oʻrta taʼlim maktabi",
                f"Общеобразовательная школа № {number} {place.name_ru}",
                f"{place.name_en} General Secondary School No. {number}",
                SCHOOL, HEAD_TITLES["maktabi"], f"{place.handle_word}_maktab{number}", 0.3,
            )  # fmt: skip


def catalogue_institutions() -> Iterator[DemoInstitution]:
    """Every demo institution in scale order (endless: schools keep coming)."""
    real = list(_real())
    codes = {i.code for i in real}
    yield from real
    yield from _regional_administrations(codes)
    yield from _national_bodies()
    yield from _local_administrations(codes)
    yield from _regional_branches()
    yield from _district_branches()
    yield from _schools()


def select_institutions(count: int) -> list[DemoInstitution]:
    """The first ``count`` institutions; a parent outside the selection is left out."""
    chosen = list(itertools.islice(catalogue_institutions(), count))
    codes = {i.code for i in chosen}
    result = []
    for inst in chosen:
        if inst.parent_code and inst.parent_code not in codes:
            # Schools fall back to their district's hokimlik, which the scale always includes
            # before any school; anything else simply has no parent at this scale.
            fallback = inst.parent_code.split(".", 1)[1] if inst.tier == SCHOOL else None
            inst = replace(inst, parent_code=fallback if fallback in codes else None)
        result.append(inst)
    return result


# --- people, accounts and facts -----------------------------------------------------------

# Share of officials (by role) and of institutions that keep an account on each platform.
ACCOUNT_SHARE = {"head": 0.93, "deputy": 0.85, "press_secretary": 0.9}
OWN_PAGE_SHARE = {"telegram": 0.6, "facebook": 0.4, "instagram": 0.2, "x": 0.1}
REAL_OWN_PAGE_SHARE = {"telegram": 0.95, "facebook": 0.85, "instagram": 0.6, "x": 0.45}
ODD_HANDLE_SHARE = 0.06
FEMALE_SHARE = {"head": 0.15, "deputy": 0.3, "press_secretary": 0.55}
# (has any Wikipedia title, uz, ru, en) by tier.
WIKIPEDIA_SHARE = {
    NATIONAL: (1.0, 0.95, 0.6, 0.5), REGIONAL_ADMIN: (0.9, 0.95, 0.5, 0.4),
    LOCAL_ADMIN: (0.45, 0.95, 0.3, 0.15), REGIONAL_BRANCH: (0.04, 1.0, 0.2, 0.0),
    DISTRICT_BRANCH: (0.01, 1.0, 0.0, 0.0), SCHOOL: (0.0, 0.0, 0.0, 0.0),
}  # fmt: skip
APP_SHARE = {  # (android, ios)
    NATIONAL: (0.8, 0.65), REGIONAL_ADMIN: (0.5, 0.35), LOCAL_ADMIN: (0.12, 0.06),
    REGIONAL_BRANCH: (0.05, 0.03), DISTRICT_BRANCH: (0.01, 0.005), SCHOOL: (0.0, 0.0),
}  # fmt: skip
POOL_SIZE = {NATIONAL: (4, 10), REGIONAL_ADMIN: (3, 8), LOCAL_ADMIN: (1, 5),
             REGIONAL_BRANCH: (0, 4), DISTRICT_BRANCH: (0, 2), SCHOOL: (0, 1)}  # fmt: skip
COUNCIL_SIZE = {NATIONAL: (7, 13), REGIONAL_ADMIN: (5, 11), LOCAL_ADMIN: (3, 9),
                REGIONAL_BRANCH: (0, 7), DISTRICT_BRANCH: (0, 5), SCHOOL: (0, 5)}  # fmt: skip
COUNCIL_TYPES = ("expert", "civil_society", "journalist", "blogger", "official", "other")
COUNCIL_WEIGHTS = (30, 25, 14, 8, 13, 10)
# Role words of a head's own-title handle ("adliya_vaziri", "hazorasp_hokimi").
ROLE_HANDLE_WORD = {"ministry": "vaziri", "committee": "raisi", "agency": "direktori",
                    "regional_administration": "hokimi", "city_administration": "hokimi",
                    "district_administration": "hokimi"}  # fmt: skip
MAX_HANDLE = {"x": 15, "telegram": 32, "instagram": 30, "facebook": 50}
# Instagram's API does not say whether an account is verified, so the registry records the
# agency's own check; the other platforms say for themselves (registry cell left empty). The
# simulated Instagram account takes the registry's answer (sql/demo/sim_accounts.sql), and the
# shares are those the simulation draws for the other platforms' accounts.
REGISTRY_VERIFIED_SHARE = {"institution": 0.85, "head": 0.80, "deputy": 0.50,
                           "press_secretary": 0.40}  # fmt: skip


@dataclass
class DemoRegistry:
    institutions: list[DemoInstitution]
    rows: dict[str, list[tuple]] = field(default_factory=dict)

    def count(self, file: str) -> int:
        return len(self.rows.get(file, []))

    def write(self, folder: Path) -> None:
        """Write every file, replacing what the folder held (stale extra files would import)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, columns in COLUMNS.items():
            with (folder / name).open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows(
                    ["" if v is None else ("true" if v is True else "false" if v is False else v)
                     for v in row]
                    for row in self.rows.get(name, [])
                )  # fmt: skip


class _Unique:
    """Handles and platform ids already taken, per platform (handles case-insensitively)."""

    def __init__(self) -> None:
        self.handles: dict[str, set[str]] = {p: set() for p in PLATFORMS}
        self.ids: set[tuple[str, str]] = set()

    def handle(self, platform: str, wanted: list[str], rng: random.Random) -> str:
        """The first free handle of ``wanted``; else one of them with a year, else digits."""
        limit = MAX_HANDLE[platform]
        # Telegram and Facebook names have at least 5 characters: "mfa" becomes "mfa_uz".
        candidates = [w if len(w) >= 5 else f"{w}_uz" for w in wanted]
        year = rng.randrange(65, 100)
        candidates += [f"{c[: limit - 2]}{year}" for c in candidates]
        for candidate in candidates:
            if candidate[:limit].lower() not in self.handles[platform]:
                candidate = candidate[:limit]
                break
        else:
            while candidate[:limit].lower() in self.handles[platform]:
                digits = str(rng.randrange(100, 999))
                candidate = wanted[0][: limit - len(digits) - 1] + "_" + digits
            candidate = candidate[:limit]
        self.handles[platform].add(candidate.lower())
        return candidate

    def external_id(self, platform: str, rng: random.Random) -> str:
        while True:
            if platform == "facebook":
                value = "100" + f"{rng.randrange(10**12):012d}"  # Page ids: 15 digits
            elif platform == "instagram":
                value = "17841" + f"{rng.randrange(10**12):012d}"  # IG user ids: 17 digits
            elif platform == "telegram":
                # The Bot API's channel id is -100 and ten digits; ids here are digits only.
                value = "100" + f"{rng.randrange(10**9, 10**10)}"
            elif rng.random() < 0.6:
                value = str(rng.randrange(10**8, 4 * 10**9))  # X accounts before 2016
            else:
                value = str(rng.randrange(10**18, 19 * 10**17))  # later X ids are snowflakes
            if (platform, value) not in self.ids:
                self.ids.add((platform, value))
                return value


def _person_handles(person: Person, platform: str, rng: random.Random) -> list[str]:
    """Handles a person might pick on the platform, the preferred one first."""
    first, last = person.first_ascii, person.last_ascii
    options = {
        "facebook": [f"{first}.{last}", f"{last}.{first}", f"{first}{last}"],
        "instagram": [f"{first}_{last}", f"{first}.{last}", f"{last}_{first[0]}"],
        "x": [
            f"{first.capitalize()}{last.capitalize()}",
            f"{first[0]}_{last}",
            f"{last}_{first[0]}",
        ],
        "telegram": [f"{last}_{first}", f"{first}_{last}", f"{first}{last}_kanal"],
    }[platform]
    rng.shuffle(options)
    return options


def _odd(handle: str, platform: str, rng: random.Random) -> str:
    """A real-world oddity that is still a valid handle: capitals, a year, stray underscores."""
    style = rng.randrange(4)
    if style == 0:
        return handle.upper() if len(handle) < 12 else handle[:1].upper() + handle[1:].swapcase()
    if style == 1:
        return f"{handle}{rng.randrange(1965, 2001)}"
    if style == 2:
        return f"{handle}_"
    return ("_" if platform in ("x", "telegram") else ".").join(("the", handle, "uz"))


def _page_handles(inst: DemoInstitution, platform: str, rng: random.Random) -> list[str]:
    stem = inst.handle_stem
    options = {
        "telegram": [stem, f"{stem}_uz", f"{stem}_rasmiy"],
        "facebook": [stem, f"{stem}.uz", f"{stem}uz"],
        "instagram": [stem, f"{stem}_official", f"{stem}.uz"],
        "x": ["".join(w.capitalize() for w in stem.split("_"))[:12] + "Uz", stem[:15]],
    }[platform]
    rng.shuffle(options)
    return options


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _membership(rng: random.Random) -> tuple[dt.date, dt.date | None]:
    joined = _date_between(rng, dt.date(2019, 1, 1), dt.date(2024, 12, 31))
    left = None
    if rng.random() < 0.1:
        left = min(joined + dt.timedelta(days=rng.randrange(90, 700)), dt.date(2025, 6, 30))
    return joined, left


def _registry_verified(platform: str, external_id: str, owner: str) -> bool | None:
    """The agency's check of an Instagram account, None (not checked) elsewhere. Drawn from a
    generator of its own, keyed on the account, so that it leaves the institution's draws alone."""
    if platform != "instagram":
        return None
    draw = random.Random(f"presswatch-demo/verified/{platform}/{external_id}").random()
    return draw < REGISTRY_VERIFIED_SHARE[owner]


def _people_rows(inst: DemoInstitution, rng: random.Random, unique: _Unique, rows: dict) -> None:
    lang = inst.preferred_language
    emails: set[str] = set()
    # The institution's own pages first: they are what most people follow.
    shares = REAL_OWN_PAGE_SHARE if inst.code in REAL_CODES else OWN_PAGE_SHARE
    for platform in PLATFORMS:
        if rng.random() < shares[platform]:
            handle = unique.handle(platform, _page_handles(inst, platform, rng), rng)
            external_id = unique.external_id(platform, rng)
            verified = _registry_verified(platform, external_id, "institution")
            rows["accounts.csv"].append(
                (inst.code, None, platform, handle, external_id, True, verified)
            )
    for role, suffix in (("head", "head"), ("deputy", "deputy"), ("press_secretary", "press")):
        person = invent_person(rng, FEMALE_SHARE[role])
        code = f"{inst.code}.{suffix}"
        local = f"{person.first_ascii[0]}.{person.last_ascii}"
        while local in emails:
            local += str(rng.randrange(10))
        emails.add(local)
        rows["officials.csv"].append(
            (code, inst.code, role, person.full_name(lang),
             position_title(inst.head_title, role, lang), f"{local}@{inst.domain}", True)
        )  # fmt: skip
        for platform in PLATFORMS:
            if rng.random() >= ACCOUNT_SHARE[role]:
                continue
            wanted = _person_handles(person, platform, rng)
            word = ROLE_HANDLE_WORD.get(inst.kind)
            if role == "head" and word and platform == "telegram" and rng.random() < 0.3:
                wanted.insert(0, f"{inst.handle_stem.split('_')[0]}_{word}")
            if rng.random() < ODD_HANDLE_SHARE:
                wanted.insert(0, _odd(wanted[0], platform, rng))
            handle = unique.handle(platform, wanted, rng)
            external_id = unique.external_id(platform, rng)
            verified = _registry_verified(platform, external_id, role)
            rows["accounts.csv"].append(
                (inst.code, code, platform, handle, external_id, True, verified)
            )


def _fact_rows(inst: DemoInstitution, rng: random.Random, rows: dict) -> None:
    has_any, *lang_shares = WIKIPEDIA_SHARE[inst.tier]
    if rng.random() < has_any:
        titles = {"uz": inst.name_uz_latn, "ru": inst.name_ru, "en": inst.name_en}
        chosen = [
            lang for lang, share in zip(titles, lang_shares, strict=True) if rng.random() < share
        ]
        for lang in chosen or ["uz"]:
            rows["wikipedia.csv"].append((inst.code, lang, titles[lang]))

    android, ios = APP_SHARE[inst.tier]
    package = inst.code.replace(".", "_").replace("-", "_")
    if rng.random() < android:
        url = f"https://play.google.com/store/apps/details?id=uz.gov.{package}"
        rows["apps.csv"].append((inst.code, "android", url, rng.random() < 0.45))
    if rng.random() < ios:
        url = f"https://apps.apple.com/uz/app/{inst.handle_stem.replace('_', '-')}/id{rng.randrange(10**9, 2 * 10**9)}"
        rows["apps.csv"].append((inst.code, "ios", url, rng.random() < 0.45))

    lang = inst.preferred_language
    seen: set[str] = set()
    low, high = POOL_SIZE[inst.tier]
    for _ in range(rng.randint(low, high)):
        person = invent_person(rng, 0.45)
        name = person.full_name(lang)
        if name in seen:
            continue
        seen.add(name)
        if rng.random() < 0.35:
            member_type = "blogger"
            outlet = f"{rng.choice(BLOG_PLATFORMS)}: @{person.last_ascii}_blog"
        else:
            member_type, outlet = "journalist", rng.choice(OUTLETS)
        joined, left = _membership(rng)
        rows["media_pool.csv"].append((inst.code, name, member_type, outlet, joined, left))

    seen = set()
    low, high = COUNCIL_SIZE[inst.tier]
    for _ in range(rng.randint(low, high)):
        person = invent_person(rng, 0.4)
        name = person.full_name(lang)
        if name in seen:
            continue
        seen.add(name)
        member_type = rng.choices(COUNCIL_TYPES, COUNCIL_WEIGHTS)[0]
        joined, left = _membership(rng)
        rows["council.csv"].append((inst.code, name, member_type, joined, left))


REAL_CODES = frozenset(r.code for r in catalogue.REAL_INSTITUTIONS)


def build_registry(institutions: int) -> DemoRegistry:
    """The registry of the first ``institutions`` demo institutions (see the module doc)."""
    chosen = select_institutions(institutions)
    registry = DemoRegistry(chosen, {name: [] for name in COLUMNS})
    unique = _Unique()
    for inst in chosen:
        registry.rows["institutions.csv"].append(
            (inst.code, inst.kind, inst.parent_code, inst.region_code, inst.name_uz_latn,
             inst.name_uz_cyrl, inst.name_ru, inst.name_en, inst.website,
             inst.preferred_language, True)
        )  # fmt: skip
        rng = random.Random(f"presswatch-demo/people/{inst.code}")
        _people_rows(inst, rng, unique, registry.rows)
        _fact_rows(inst, rng, registry.rows)
    # The news sites' feeds are the same at every scale: the outlets write about everyone.
    registry.rows["feeds.csv"] = [
        (feed.code, feed.name, feed.url, feed.language, True) for feed in STORY_FEEDS
    ]
    return registry


def write_registry(folder: Path, institutions: int) -> DemoRegistry:
    registry = build_registry(institutions)
    registry.write(Path(folder))
    return registry


def write_demo_registry(folder: Path = DEMO_REGISTRY) -> DemoRegistry:
    """The committed demo registry (``include/demo_registry``): the 28 real institutions."""
    return write_registry(folder, REAL_COUNT)
