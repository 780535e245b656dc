"""Invented people and the wording of titles and texts in the four registry languages.

Every person in the demo is invented: a first name and a patronymic-style surname, combined at
random. The surname stems are deliberately uncommon compounds, so that a combination is
unlikely to be anyone in public life; the lists hold no phone numbers and no real officials.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

LANGUAGES = ("uz-Latn", "uz-Cyrl", "ru", "en")

MALE_NAMES = (
    "Bahrom", "Sherzod", "Jasur", "Dilshod", "Otabek", "Farhod", "Ulugʻbek", "Rustam", "Sardor",
    "Jamshid", "Akbar", "Nodir", "Sanjar", "Bekzod", "Eldor", "Laziz", "Anvar", "Botir",
    "Gʻayrat", "Ilhom", "Javlon", "Mansur", "Oybek", "Shuhrat", "Temur", "Xurshid", "Zafar",
    "Muzaffar", "Hamid", "Doniyor", "Islom", "Komil", "Nurbek", "Oʻtkir", "Qahramon", "Sarvar",
    "Tohir", "Umid", "Behruz", "Azizbek",
)  # fmt: skip
FEMALE_NAMES = (
    "Dilnoza", "Gulnora", "Malika", "Nodira", "Shahnoza", "Zarina", "Madina", "Feruza", "Kamola",
    "Lola", "Munisa", "Nilufar", "Sevara", "Umida", "Xurshida", "Yulduz", "Zulfiya", "Dildora",
    "Gavhar", "Iroda", "Mohira", "Nargiza", "Oydin", "Saodat", "Gulchehra", "Barno", "Charos",
    "Durdona", "Farangiz", "Hilola",
)  # fmt: skip
# Compound stems + -ov/-yev, the way Uzbek surnames are formed from a forebear's name.
SURNAME_STEMS = (
    "Tursunqul", "Boymurod", "Oqilbek", "Xolnazar", "Qoʻchqorboy", "Eshmurod", "Normat",
    "Berdiqul", "Toʻlagan", "Yoʻldoshbek", "Suyunqul", "Abdurahimboy", "Mamatqul", "Xudoyor",
    "Jumanazar", "Qurbonali", "Hamroqul", "Shodmonqul", "Sattorqul", "Mirzaahmad", "Pardabek",
    "Nazarqul", "Allanazar", "Choriyor", "Doʻstmurod", "Gʻoyibnazar", "Islomqul", "Karimberdi",
    "Muhiddinboy", "Nurmatqul", "Orzuqul", "Poyonboy", "Qilichbek", "Saydali", "Tojiboy",
    "Usmonqul", "Valixoʻja", "Xayrullaboy", "Yusufali", "Zokirjon", "Boboqul", "Egamberdi",
    "Ravshanbek", "Sobirqul", "Turdiboy", "Odilbek", "Amirqul", "Baxtiyorbek", "Davronqul",
    "Elmurod", "Fayzulla", "Gʻaniboy", "Hasanboy", "Ibodulla", "Jahongirbek", "Komilqul",
    "Luqmonboy", "Mahmudali", "Nusratqul", "Olimjon", "Qodirqul", "Rustamqul", "Shavkatbek",
    "Toshpoʻlat", "Ubaydulla", "Vohidqul", "Xoliqul", "Yoqubboy", "Zafarqul", "Abdusamat",
    "Bekmurod", "Dilmurod", "Erkinboy", "Gʻulomqul", "Hakimberdi", "Ismatqul",
)  # fmt: skip


def surname(stem: str, female: bool) -> str:
    # Karimberdi-yev, Tojiboy-ev, Tursunqul-ov: the ending follows the stem's last letter.
    ending = "ev" if stem.endswith("y") else "yev" if stem[-1] in "aeiou" else "ov"
    male = stem + ending
    return male + "a" if female else male


# --- scripts --------------------------------------------------------------------------------

_LATIN_TO_CYRILLIC_MULTI = (
    ("yoʻ", "йў"), ("psiya", "пция"), ("oʻ", "ў"), ("gʻ", "ғ"), ("sh", "ш"), ("ch", "ч"),
    ("yo", "ё"), ("yu", "ю"), ("ya", "я"), ("ts", "ц"),
)  # fmt: skip
_LATIN_TO_CYRILLIC = dict(
    zip("abdefghijklmnopqrstuvxyzcw", "абдефгҳижклмнопқрстувхйзцв", strict=True)
)
_LATIN_TO_CYRILLIC["ʼ"] = "ъ"


def latin_to_cyrillic(text: str) -> str:
    """Uzbek Latin to Uzbek Cyrillic (Adliya vazirligi -> Адлия вазирлиги)."""
    out: list[str] = []
    i = 0
    lower = text.lower()
    while i < len(text):
        word_start = i == 0 or not text[i - 1].isalpha()
        after_consonant = i > 0 and lower[i - 1] in "bdfghjklmnpqrstvxzc"
        for latin, cyrillic in _LATIN_TO_CYRILLIC_MULTI:
            if lower.startswith(latin, i):
                piece, width = cyrillic, len(latin)
                break
        else:
            char = lower[i]
            width = 1
            if lower.startswith("ye", i):
                # "ye" after a consonant is a hard sign and е (subyekt -> субъект).
                piece, width = ("ъе" if after_consonant else "е"), 2
            elif char == "e" and word_start:
                piece = "э"
            else:
                piece = _LATIN_TO_CYRILLIC.get(char, text[i])
        if text[i].isupper():
            piece = (
                piece.upper() if width > 1 and text[i + 1 : i + 2].isupper() else piece.capitalize()
            )
        out.append(piece)
        i += width
    return "".join(out)


_UZ_CYRILLIC_TO_RU = str.maketrans("ўқғҳЎҚҒҲ", "укгхУКГХ")


def uz_cyrillic_to_russian(text: str) -> str:
    """A person's name as Russian spells it (Турсунқулов -> Турсункулов)."""
    return text.translate(_UZ_CYRILLIC_TO_RU)


def latin_to_ascii(text: str) -> str:
    """Uzbek Latin without the modifier letters, as English texts write it."""
    return text.replace("ʻ", "").replace("ʼ", "")


def slug(text: str) -> str:
    """Lowercase ASCII letters, digits and underscores, for handles and codes."""
    return re.sub(r"[^a-z0-9]+", "_", latin_to_ascii(text).lower()).strip("_")


def in_language(uz_latn: str, ru: str, en: str, language: str) -> str:
    """One of a text's forms by registry language; Uzbek Cyrillic is transliterated."""
    return {
        "uz-Latn": uz_latn,
        "uz-Cyrl": latin_to_cyrillic(uz_latn),
        "ru": ru,
        "en": en,
    }[language]


# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    first: str  # Uzbek Latin
    last: str  # Uzbek Latin
    female: bool

    def full_name(self, language: str) -> str:
        latin = f"{self.first} {self.last}"
        if language == "uz-Cyrl":
            return latin_to_cyrillic(latin)
        if language == "ru":
            return uz_cyrillic_to_russian(latin_to_cyrillic(latin))
        if language == "en":
            return latin_to_ascii(latin)
        return latin

    @property
    def first_ascii(self) -> str:
        return slug(self.first)

    @property
    def last_ascii(self) -> str:
        return slug(self.last)


def invent_person(rng: random.Random, female_share: float) -> Person:
    female = rng.random() < female_share
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    return Person(first, surname(rng.choice(SURNAME_STEMS), female), female)


# --- titles ---------------------------------------------------------------------------------

# (head in Uzbek Latin, Russian, English, deputy in Russian); the Uzbek and English deputy
# titles are regular ("Vazir oʻrinbosari", "Deputy Minister").
HEAD_TITLES: dict[str, tuple[str, str, str, str]] = {
    "ministry": ("Vazir", "Министр", "Minister", "Заместитель министра"),
    "committee": ("Qoʻmita raisi", "Председатель комитета", "Chairman of the Committee",
                  "Заместитель председателя комитета"),
    "agency": ("Agentlik direktori", "Директор агентства", "Director of the Agency",
               "Заместитель директора агентства"),
    "inspectorate": ("Inspeksiya boshligʻi", "Начальник инспекции", "Head of the Inspectorate",
                     "Заместитель начальника инспекции"),
    "other": ("Rahbar", "Руководитель", "Head", "Заместитель руководителя"),
    "regional_administration": ("Viloyat hokimi", "Хоким области", "Regional Khokim",
                                "Заместитель хокима области"),
    "karakalpakstan": ("Vazirlar Kengashi Raisi", "Председатель Совета Министров",
                       "Chairman of the Council of Ministers",
                       "Заместитель Председателя Совета Министров"),
    "city_administration": ("Shahar hokimi", "Хоким города", "City Khokim", "Заместитель хокима города"),
    "district_administration": ("Tuman hokimi", "Хоким района", "District Khokim",
                                "Заместитель хокима района"),
    "boshqarmasi": ("Boshqarma boshligʻi", "Начальник управления", "Head of Department",
                    "Заместитель начальника управления"),
    "boʻlimi": ("Boʻlim boshligʻi", "Начальник отдела", "Head of Division", "Заместитель начальника отдела"),
    "inspeksiyasi": ("Inspeksiya boshligʻi", "Начальник инспекции", "Head of the Inspectorate",
                     "Заместитель начальника инспекции"),
    "markazi": ("Markaz direktori", "Директор центра", "Director of the Centre", "Заместитель директора центра"),
    "birlashmasi": ("Birlashma boshligʻi", "Начальник объединения", "Head of the Association",
                    "Заместитель начальника объединения"),
    "maktabi": ("Direktor", "Директор", "Director", "Заместитель директора"),
}  # fmt: skip

PRESS_SECRETARY = ("Matbuot kotibi", "Пресс-секретарь", "Press Secretary")


def position_title(head: tuple[str, str, str, str], role: str, language: str) -> str:
    if role == "head":
        uz, ru, en = head[0], head[1], head[2]
    elif role == "deputy":
        uz, ru, en = f"{head[0]} oʻrinbosari", head[3], f"Deputy {head[2]}"
    else:
        uz, ru, en = PRESS_SECRETARY
    return in_language(uz, ru, en, language)


# --- texts the SQL picks from (one list per language, all the same length) -----------------


_PLACEHOLDER = re.compile(r"(\{[a-z_]+\})")


def _cyrillic_template(text: str) -> str:
    """A Latin template in Cyrillic, its placeholders ({name}) left as they are."""
    return "".join(
        part if _PLACEHOLDER.fullmatch(part) else latin_to_cyrillic(part)
        for part in _PLACEHOLDER.split(text)
    )


def _four(uz_latn: list[str], ru: list[str], en: list[str]) -> list[list[str]]:
    assert len(uz_latn) == len(ru) == len(en)
    return [uz_latn, [_cyrillic_template(t) for t in uz_latn], ru, en]


POST_TEXTS = _four(
    [
        "Matbuot anjumani boʻlib oʻtdi", "Fuqarolar qabuli oʻtkazildi", "Hududlarga xizmat safari",
        "Yangi loyiha taqdimoti", "Tadbirkorlar bilan uchrashuv", "Joriy masalalar yuzasidan brifing",
        "Jamoatchilik bilan ochiq muloqot", "Yoshlar bilan uchrashuv", "Bayram tabrigi",
        "Ishchi guruh yigʻilishi", "Murojaatlar koʻrib chiqildi", "Oylik natijalar eʼlon qilindi",
    ],
    [
        "Состоялась пресс-конференция", "Проведён приём граждан", "Рабочая поездка в регионы",
        "Презентация нового проекта", "Встреча с предпринимателями", "Брифинг по текущим вопросам",
        "Открытый диалог с общественностью", "Встреча с молодёжью", "Праздничное поздравление",
        "Заседание рабочей группы", "Рассмотрены обращения граждан", "Подведены итоги месяца",
    ],
    [
        "Press conference held", "Citizens' reception held", "Working visit to the regions",
        "New project presented", "Meeting with entrepreneurs", "Briefing on current issues",
        "Open dialogue with the public", "Meeting with young people", "Holiday greetings",
        "Working group meeting", "Citizens' appeals reviewed", "Results of the month announced",
    ],
)  # fmt: skip

# A response post names the story it answers: its URL mostly ("links to the story"), its
# title sometimes (the pipeline finds it by the title's words).
RESPONSE_TEXTS = _four(
    ["Rasmiy munosabat: {url}", "Maʼlumot uchun: {url}", "Xabarga izoh: {url}",
     "Rasmiy munosabat: {title}"],
    ["Официальный комментарий: {url}", "К сведению: {url}", "Комментарий к публикации: {url}",
     "Официальный комментарий: {title}"],
    ["Official response: {url}", "For information: {url}", "Our comment on the report: {url}",
     "Official response: {title}"],
)  # fmt: skip

# Titles name the institution ({name}: its registry name in the story's language; in Uzbek
# with a case suffix where the sentence wants one, as Uzbek writes it). Critical titles carry
# the lexicon's trigger words (include/lexicon/critical.yaml): complaints, violations,
# discontent, failures, bribery, misspending, protests, outages, negligence; routine ones none.
CRITICAL_TITLES = _four(
    [
        "{name}: fuqarolar murojaatlari javobsiz qolmoqda", "{name}: tekshiruvda qonunbuzilishlar aniqlandi",
        "Aholi noroziligi: {name}", "{name}: tender natijalari savol uygʻotmoqda",
        "{name}: xodim pora olayotganda ushlandi", "{name}: byudjet mablagʻlari maqsadsiz sarflangan",
        "Tadbirkorlar shikoyati: {name}", "{name}: vaʼda qilingan loyiha muddatida bajarilmadi",
        "{name}: aholi yoʻlni toʻsib norozilik bildirdi", "{name}: mahallalar uch kundan beri gazsiz qoldi",
        "{name}: masʼullarning beparvoligi tufayli bino qarovsiz qolgan",
        "{name}ga fuqarolar shikoyatlari koʻpaymoqda", "{name}da poraxoʻrlik holatlari aniqlandi",
    ],
    [
        "{name}: обращения граждан остаются без ответа", "{name}: проверка выявила нарушения",
        "Жители недовольны: {name}", "{name}: итоги тендера вызывают вопросы",
        "{name}: сотрудник задержан при получении взятки", "{name}: бюджетные средства потрачены не по назначению",
        "Жалобы предпринимателей: {name}", "{name}: обещанный проект сорван",
        "{name}: жители перекрыли дорогу в знак протеста", "{name}: жители третий день без воды и света",
        "{name}: халатность привела к аварии", "{name}: жители жалуются на волокиту",
        "{name}: выявлены нарушения при распределении земли",
    ],
    [
        "{name} accused of ignoring citizens' complaints", "Audit finds violations at {name}",
        "Residents unhappy with {name}", "{name}: tender results raise questions",
        "{name} employee detained for bribery", "{name} misspent budget funds, inspectors say",
        "Entrepreneurs complain about {name}", "{name} misses deadline on promised project",
        "Residents protest against {name}", "{name}: districts left without water and power",
        "Negligence at {name} left a school building neglected", "Complaints pile up at {name}",
        "{name} officials charged with abuse of office",
    ],
)  # fmt: skip

ROUTINE_TITLES = _four(
    [
        "{name} yangi xizmatni ishga tushirdi", "{name}: matbuot anjumani boʻlib oʻtdi",
        "{name}: rahbariyat aholi bilan uchrashdi", "{name}: yarim yil yakunlari eʼlon qilindi",
        "{name}: xalqaro hamkorlik kengaymoqda", "{name}: yangi tayinlov",
        "{name}: raqamli xizmatlar soni ortdi", "{name}: hududlarda sayyor qabul",
        "{name}ning yangi qabul markazi ochildi",
    ],
    [
        "{name}: запущен новый сервис", "{name}: состоялась пресс-конференция",
        "{name}: руководство встретилось с жителями", "{name}: подведены итоги полугодия",
        "{name}: расширяется международное сотрудничество", "{name}: новое назначение",
        "{name}: число цифровых услуг выросло", "{name}: выездной приём в регионах",
        "{name}: открыт новый центр приёма граждан",
    ],
    [
        "{name} launches a new service", "{name} holds a press conference",
        "{name} leadership meets residents", "{name} announces half-year results",
        "{name} expands international cooperation", "{name}: new appointment",
        "{name} adds digital services", "{name} holds receptions in the regions",
        "{name} opens a new reception centre",
    ],
)  # fmt: skip

# Russian titles that name the institution in the genitive ({name}: "Министерства юстиции"),
# as Russian headlines mostly do; the pipeline must find the institution all the same.
RUSSIAN_GENITIVE_CRITICAL_TITLES = [
    "Жалобы на работу {name} остаются без ответа", "Проверка выявила нарушения в работе {name}",
    "Сотрудник {name} задержан при получении взятки", "Жители недовольны бездействием {name}",
    "Халатность сотрудников {name} привела к аварии",
]  # fmt: skip
RUSSIAN_GENITIVE_ROUTINE_TITLES = [
    "Руководство {name} встретилось с жителями", "Пресс-служба {name} провела брифинг",
    "Новый сервис {name} доступен онлайн", "Подведены итоги полугодия работы {name}",
    "Делегация {name} посетила регионы",
]  # fmt: skip
# How two institutions are named together: "A va B", "A и B".
NAME_JOINERS = ["va", "ва", "и", "and"]

STORY_SUMMARIES = _four(
    [
        "Tahririyatga kelgan shikoyatlar asosida tayyorlangan material.",
        "Tadbir haqida batafsil maʼlumot.",
    ],
    ["Материал подготовлен по жалобам, поступившим в редакцию.", "Подробности мероприятия."],
    ["Based on complaints received by the newsroom.", "Details of the event."],
)

EVENT_KINDS = (
    "briefing",
    "press_conference",
    "press_tour",
    "live_broadcast",
    "citizen_qa",
    "interview",
)
EVENT_KIND_TITLES = _four(
    ["Brifing", "Matbuot anjumani", "Press-tur", "Jonli efir", "Fuqarolar bilan savol-javob", "Intervyu"],
    ["Брифинг", "Пресс-конференция", "Пресс-тур", "Прямой эфир", "Вопросы и ответы с гражданами", "Интервью"],
    ["Briefing", "Press conference", "Press tour", "Live broadcast", "Q&A with citizens", "Interview"],
)  # fmt: skip
EVENT_TOPICS = _four(
    [
        "yil yakunlari", "murojaatlar bilan ishlash", "yangi qonunchilik", "investitsiya loyihalari",
        "raqamlashtirish", "ijtimoiy himoya", "obodonlashtirish ishlari", "yoshlar siyosati",
    ],
    [
        "итоги года", "работа с обращениями", "новое законодательство", "инвестиционные проекты",
        "цифровизация", "социальная защита", "благоустройство", "молодёжная политика",
    ],
    [
        "results of the year", "handling of appeals", "new legislation", "investment projects",
        "digitalisation", "social protection", "public amenities", "youth policy",
    ],
)  # fmt: skip

# Newsrooms accredited journalists come from; bloggers name their channel instead.
OUTLETS = (
    "Kun.uz", "Gazeta.uz", "Daryo.uz", "Xalq soʻzi", "UzA", "Podrobno.uz", "Spot.uz",
    "Oʻzbekiston 24", "Sevimli TV", "Xabar.uz", "Review.uz", "Uzreport TV",
)  # fmt: skip
BLOG_PLATFORMS = ("Telegram", "YouTube", "Instagram")

# Where stories are published: (outlet, language), repeated by weight. Each pair has its own
# RSS or Atom feed (STORY_FEEDS) and its stories' URLs are on the outlet's domain.
STORY_SOURCES = (
    ("kun.uz", "uz-Latn"), ("kun.uz", "uz-Latn"), ("kun.uz", "ru"), ("kun.uz", "en"),
    ("gazeta.uz", "ru"), ("gazeta.uz", "ru"), ("gazeta.uz", "uz-Latn"),
    ("daryo.uz", "uz-Latn"), ("daryo.uz", "uz-Latn"), ("daryo.uz", "ru"),
    ("podrobno.uz", "ru"), ("xabar.uz", "uz-Cyrl"), ("uza.uz", "uz-Latn"), ("uza.uz", "en"),
    ("spot.uz", "ru"), ("spot.uz", "uz-Latn"),
)  # fmt: skip
OUTLET_NAMES = {
    "kun.uz": "Kun.uz", "gazeta.uz": "Gazeta.uz", "daryo.uz": "Daryo.uz",
    "podrobno.uz": "Podrobno.uz", "xabar.uz": "Xabar.uz", "uza.uz": "UzA", "spot.uz": "Spot.uz",
}  # fmt: skip
# How each outlet lays out its site: where its feed is, in which format, and whether its feed
# writes times without a zone (the pipeline reads those as Tashkent time).
_FEED_PATHS = {
    "kun.uz": "news/rss", "gazeta.uz": "rss/", "daryo.uz": "feed/", "podrobno.uz": "rss/",
    "xabar.uz": "rss", "uza.uz": "rss", "spot.uz": "feed/atom",
}  # fmt: skip
_ATOM_OUTLETS = frozenset({"spot.uz"})
_ZONELESS_OUTLETS = frozenset({"xabar.uz"})
_OWN_GUID_OUTLETS = frozenset({"gazeta.uz", "daryo.uz"})  # guid "daryo.uz:100234", not the link
# The language part of an outlet's paths, and of its feeds' codes.
LANGUAGE_PATHS = {"uz-Latn": "", "uz-Cyrl": "kr/", "ru": "ru/", "en": "en/"}
_LANGUAGE_CODES = {"uz-Latn": "uz", "uz-Cyrl": "kr", "ru": "ru", "en": "en"}
# What a feed's <language> says: a bare "uz" for Uzbek Latin, as sites write it.
_DECLARED_LANGUAGES = {"uz-Latn": "uz", "uz-Cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}


@dataclass(frozen=True)
class StoryFeed:
    """A news site's feed in one language (the registry's feeds.csv, the simulated feed)."""

    code: str
    outlet: str  # its domain: kun.uz
    language: str
    path: str
    format: str  # rss | atom
    writes_zone: bool  # False: its times have no zone
    guid_is_link: bool  # False: its guids are its own ("daryo.uz:100234")

    @property
    def url(self) -> str:
        return f"https://{self.outlet}{self.path}"

    @property
    def name(self) -> str:
        return f"{OUTLET_NAMES[self.outlet]} ({self.language})"

    @property
    def declared_language(self) -> str:
        return _DECLARED_LANGUAGES[self.language]


def _story_feeds() -> tuple[StoryFeed, ...]:
    feeds: list[StoryFeed] = []
    first_language: dict[str, str] = {}
    for outlet, language in dict.fromkeys(STORY_SOURCES):
        main = first_language.setdefault(outlet, language)
        suffix = "" if language == main else f"_{_LANGUAGE_CODES[language]}"
        feeds.append(
            StoryFeed(
                code=outlet.replace(".", "_") + suffix,
                outlet=outlet,
                language=language,
                path="/" + LANGUAGE_PATHS[language] + _FEED_PATHS[outlet],
                format="atom" if outlet in _ATOM_OUTLETS else "rss",
                writes_zone=outlet not in _ZONELESS_OUTLETS,
                guid_is_link=outlet not in _OWN_GUID_OUTLETS,
            )
        )
    return tuple(feeds)


STORY_FEEDS = _story_feeds()
# The feeds whose newest item is deliberately bad, so that the demo shows the quarantine at
# work: an item without a date (quarantined), an item with HTML and a script in its title
# (delivered with the plain title).
NO_DATE_FEED = "daryo_uz"
HTML_TITLE_FEED = "kun_uz_ru"


# --- Russian names in the genitive ------------------------------------------------------------

_ADJECTIVE_ENDINGS = ("ая", "яя", "ое", "ее", "ый", "ий", "ой")
_PREPOSITIONS = frozenset({"по", "при", "за", "в", "на", "для", "и"})


def _genitive_adjective(word: str) -> str:
    stem, ending = word[:-2], word[-2:]
    if ending == "ая":
        return stem + "ой"
    if ending == "яя":
        return stem + "ей"
    if ending == "ий" and stem[-1:] not in "гкх":
        return stem + "его"
    return stem + ("его" if ending == "ее" else "ого")


def _genitive_noun(word: str) -> str:
    if word.endswith("ие"):
        return word[:-1] + "я"
    if word.endswith("ия"):
        return word[:-1] + "и"
    if word.endswith("о"):
        return word[:-1] + "а"
    if word.endswith("а"):
        return word[:-1] + ("и" if word[-2:-1] in "гкхжшщч" else "ы")
    if word.endswith(("я", "й", "ь")):
        return word[:-1] + ("и" if word.endswith("я") else "я")
    if word[-1:].isalpha() and word[-1] not in "еёиоуыэю":
        return word + "а"
    return word


def russian_genitive(name: str) -> str:
    """An institution's Russian name in the genitive: its leading adjectives and head noun
    inflected, the rest (already genitive or a proper name) as it is
    (Министерство юстиции -> Министерства юстиции, Государственная налоговая инспекция ->
    Государственной налоговой инспекции, Уполномоченный по правам ... -> Уполномоченного ...)."""
    words = name.split(" ")
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word.endswith(_ADJECTIVE_ENDINGS) and len(word) > 3:
            words[index] = _genitive_adjective(word)
            # A substantivised adjective heads the name when no noun follows it.
            if not following[:1].islower() or following in _PREPOSITIONS:
                break
            continue
        words[index] = _genitive_noun(word)
        break
    return " ".join(words)
