"""What the demo registry is made of: Uzbekistan's regions, cities and districts, and the
national bodies with their territorial departments.

Place names and the names of state bodies are real (they are public facts and make the demo
recognisable); the Russian forms are given by hand because Russian declines place names
("Хазараспского района"), which no rule derives reliably. Uzbek Cyrillic is transliterated from
the Latin (``people.latin_to_cyrillic``). People are never here: see ``people.py``.

Uzbek Latin uses U+02BB for oʻ/gʻ and U+02BC for the tutuq belgisi (taʼlim), as the registry
normalises them; ``tests/test_demo_generator.py`` checks that every name here already is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str  # the region table's code
    name_uz: str  # "Buxoro viloyati": prefixes department names
    genitive_ru: str  # "Бухарской области": ends Russian names ("Управление юстиции ...")
    adjective_en: str  # "Bukhara Regional": starts English names
    admin_code: str  # the code of its hokimlik (or Council of Ministers)


# Tashkent city's hokimlik is one of the 28 real institutions; so are Fergana's and Syrdarya's.
REGIONS: tuple[Region, ...] = (
    Region("karakalpakstan", "Qoraqalpogʻiston Respublikasi", "Республики Каракалпакстан", "Karakalpakstan", "karakalpakstan_reg"),
    Region("andijan", "Andijon viloyati", "Андижанской области", "Andijan Regional", "andijan_reg"),
    Region("bukhara", "Buxoro viloyati", "Бухарской области", "Bukhara Regional", "bukhara_reg"),
    Region("jizzakh", "Jizzax viloyati", "Джизакской области", "Jizzakh Regional", "jizzakh_reg"),
    Region("kashkadarya", "Qashqadaryo viloyati", "Кашкадарьинской области", "Kashkadarya Regional", "kashkadarya_reg"),
    Region("navoi", "Navoiy viloyati", "Навоийской области", "Navoi Regional", "navoi_reg"),
    Region("namangan", "Namangan viloyati", "Наманганской области", "Namangan Regional", "namangan_reg"),
    Region("samarkand", "Samarqand viloyati", "Самаркандской области", "Samarkand Regional", "samarkand_reg"),
    Region("surkhandarya", "Surxondaryo viloyati", "Сурхандарьинской области", "Surkhandarya Regional", "surkhandarya_reg"),
    Region("syrdarya", "Sirdaryo viloyati", "Сырдарьинской области", "Syrdarya Regional", "sirdaryo_reg"),
    Region("tashkent_region", "Toshkent viloyati", "Ташкентской области", "Tashkent Regional", "tashkent_reg"),
    Region("fergana", "Fargʻona viloyati", "Ферганской области", "Fergana Regional", "fergana_reg"),
    Region("khorezm", "Xorazm viloyati", "Хорезмской области", "Khorezm Regional", "khorezm_reg"),
    Region("tashkent_city", "Toshkent shahar", "города Ташкента", "Tashkent City", "tashkent_city"),
)  # fmt: skip

# Cities: (Uzbek Latin, Russian nominative, English). Districts: (Uzbek Latin, Russian
# genitive adjective before "района"). About 200 in all, as in the country.
CITIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "karakalpakstan": (("Nukus", "Нукус", "Nukus"),),
    "andijan": (("Andijon", "Андижан", "Andijan"), ("Xonobod", "Ханабад", "Khanabad")),
    "bukhara": (("Buxoro", "Бухара", "Bukhara"), ("Kogon", "Каган", "Kagan")),
    "jizzakh": (("Jizzax", "Джизак", "Jizzakh"),),
    "kashkadarya": (("Qarshi", "Карши", "Karshi"), ("Shahrisabz", "Шахрисабз", "Shakhrisabz")),
    "navoi": (("Navoiy", "Навои", "Navoi"), ("Zarafshon", "Зарафшан", "Zarafshan")),
    "namangan": (("Namangan", "Наманган", "Namangan"),),
    "samarkand": (("Samarqand", "Самарканд", "Samarkand"), ("Kattaqoʻrgʻon", "Каттакурган", "Kattakurgan")),
    "surkhandarya": (("Termiz", "Термез", "Termez"),),
    "syrdarya": (("Guliston", "Гулистан", "Gulistan"), ("Yangiyer", "Янгиер", "Yangiyer"), ("Shirin", "Ширин", "Shirin")),
    "tashkent_region": (
        ("Nurafshon", "Нурафшан", "Nurafshan"), ("Angren", "Ангрен", "Angren"),
        ("Bekobod", "Бекабад", "Bekabad"), ("Olmaliq", "Алмалык", "Almalyk"),
        ("Chirchiq", "Чирчик", "Chirchik"), ("Ohangaron", "Ахангаран", "Akhangaran"),
        ("Yangiyoʻl", "Янгиюль", "Yangiyul"),
    ),
    "fergana": (("Fargʻona", "Фергана", "Fergana"), ("Margʻilon", "Маргилан", "Margilan"), ("Qoʻqon", "Коканд", "Kokand")),
    "khorezm": (("Urganch", "Ургенч", "Urgench"), ("Xiva", "Хива", "Khiva")),
    "tashkent_city": (),
}  # fmt: skip

DISTRICTS: dict[str, tuple[tuple[str, str], ...]] = {
    "karakalpakstan": (
        ("Amudaryo", "Амударьинского"), ("Beruniy", "Берунийского"), ("Boʻzatov", "Бозатауского"),
        ("Kegeyli", "Кегейлийского"), ("Qanlikoʻl", "Канлыкульского"), ("Qoraoʻzak", "Караузякского"),
        ("Qoʻngʻirot", "Кунградского"), ("Moʻynoq", "Муйнакского"), ("Nukus", "Нукусского"),
        ("Taxiatosh", "Тахиаташского"), ("Taxtakoʻpir", "Тахтакупырского"), ("Toʻrtkoʻl", "Турткульского"),
        ("Xoʻjayli", "Ходжейлийского"), ("Chimboy", "Чимбайского"), ("Shumanay", "Шуманайского"),
        ("Ellikqalʼa", "Элликкалинского"),
    ),
    "andijan": (
        ("Andijon", "Андижанского"), ("Asaka", "Асакинского"), ("Baliqchi", "Балыкчинского"),
        ("Boʻston", "Бустанского"), ("Buloqboshi", "Булакбашинского"), ("Izboskan", "Избасканского"),
        ("Jalaquduq", "Джалакудукского"), ("Xoʻjaobod", "Ходжаабадского"), ("Qoʻrgʻontepa", "Кургантепинского"),
        ("Marhamat", "Мархаматского"), ("Oltinkoʻl", "Алтынкульского"), ("Paxtaobod", "Пахтаабадского"),
        ("Shahrixon", "Шахриханского"), ("Ulugʻnor", "Улугнорского"),
    ),
    "bukhara": (
        ("Olot", "Алатского"), ("Buxoro", "Бухарского"), ("Gʻijduvon", "Гиждуванского"),
        ("Jondor", "Жондорского"), ("Kogon", "Каганского"), ("Qorakoʻl", "Каракульского"),
        ("Qorovulbozor", "Караулбазарского"), ("Peshku", "Пешкунского"), ("Romitan", "Ромитанского"),
        ("Shofirkon", "Шафирканского"), ("Vobkent", "Вабкентского"),
    ),
    "jizzakh": (
        ("Arnasoy", "Арнасайского"), ("Baxmal", "Бахмальского"), ("Doʻstlik", "Дустликского"),
        ("Forish", "Фаришского"), ("Gʻallaorol", "Галляаральского"), ("Sharof Rashidov", "Шараф-Рашидовского"),
        ("Mirzachoʻl", "Мирзачульского"), ("Paxtakor", "Пахтакорского"), ("Yangiobod", "Янгиабадского"),
        ("Zomin", "Зааминского"), ("Zafarobod", "Зафарабадского"), ("Zarbdor", "Зарбдарского"),
    ),
    "kashkadarya": (
        ("Chiroqchi", "Чиракчинского"), ("Dehqonobod", "Дехканабадского"), ("Gʻuzor", "Гузарского"),
        ("Qamashi", "Камашинского"), ("Qarshi", "Каршинского"), ("Koson", "Касанского"),
        ("Kasbi", "Касбийского"), ("Kitob", "Китабского"), ("Mirishkor", "Миришкорского"),
        ("Muborak", "Мубарекского"), ("Nishon", "Нишанского"), ("Shahrisabz", "Шахрисабзского"),
        ("Yakkabogʻ", "Яккабагского"), ("Koʻkdala", "Кукдалинского"),
    ),
    "navoi": (
        ("Konimex", "Канимехского"), ("Karmana", "Карманинского"), ("Qiziltepa", "Кызылтепинского"),
        ("Xatirchi", "Хатырчинского"), ("Navbahor", "Навбахорского"), ("Nurota", "Нуратинского"),
        ("Tomdi", "Тамдынского"), ("Uchquduq", "Учкудукского"),
    ),
    "namangan": (
        ("Chortoq", "Чартакского"), ("Chust", "Чустского"), ("Kosonsoy", "Касансайского"),
        ("Mingbuloq", "Мингбулакского"), ("Namangan", "Наманганского"), ("Norin", "Нарынского"),
        ("Pop", "Папского"), ("Toʻraqoʻrgʻon", "Туракурганского"), ("Uchqoʻrgʻon", "Учкурганского"),
        ("Uychi", "Уйчинского"), ("Yangiqoʻrgʻon", "Янгикурганского"),
    ),
    "samarkand": (
        ("Bulungʻur", "Булунгурского"), ("Ishtixon", "Иштыханского"), ("Jomboy", "Джамбайского"),
        ("Kattaqoʻrgʻon", "Каттакурганского"), ("Qoʻshrabot", "Кошрабадского"), ("Narpay", "Нарпайского"),
        ("Nurobod", "Нурабадского"), ("Oqdaryo", "Акдарьинского"), ("Paxtachi", "Пахтачийского"),
        ("Payariq", "Пайарыкского"), ("Pastdargʻom", "Пастдаргомского"), ("Samarqand", "Самаркандского"),
        ("Toyloq", "Тайлакского"), ("Urgut", "Ургутского"),
    ),
    "surkhandarya": (
        ("Angor", "Ангорского"), ("Bandixon", "Бандиханского"), ("Boysun", "Байсунского"),
        ("Denov", "Денауского"), ("Jarqoʻrgʻon", "Джаркурганского"), ("Qiziriq", "Кизирикского"),
        ("Qumqoʻrgʻon", "Кумкурганского"), ("Muzrabot", "Музрабадского"), ("Oltinsoy", "Алтынсайского"),
        ("Sariosiyo", "Сариасийского"), ("Sherobod", "Шерабадского"), ("Shoʻrchi", "Шурчинского"),
        ("Termiz", "Термезского"), ("Uzun", "Узунского"),
    ),
    "syrdarya": (
        ("Oqoltin", "Акалтынского"), ("Boyovut", "Баяутского"), ("Guliston", "Гулистанского"),
        ("Xovos", "Хавастского"), ("Mirzaobod", "Мирзаабадского"), ("Sayxunobod", "Сайхунабадского"),
        ("Sardoba", "Сардобинского"), ("Sirdaryo", "Сырдарьинского"),
    ),
    "tashkent_region": (
        ("Bekobod", "Бекабадского"), ("Boʻstonliq", "Бостанлыкского"), ("Boʻka", "Букинского"),
        ("Chinoz", "Чиназского"), ("Qibray", "Кибрайского"), ("Ohangaron", "Ахангаранского"),
        ("Oqqoʻrgʻon", "Аккурганского"), ("Parkent", "Паркентского"), ("Piskent", "Пскентского"),
        ("Quyi Chirchiq", "Куйичирчикского"), ("Oʻrta Chirchiq", "Уртачирчикского"),
        ("Yangiyoʻl", "Янгиюльского"), ("Yuqori Chirchiq", "Юкоричирчикского"),
        ("Zangiota", "Зангиатинского"), ("Toshkent", "Ташкентского"),
    ),
    "fergana": (
        ("Oltiariq", "Алтыарыкского"), ("Bagʻdod", "Багдадского"), ("Beshariq", "Бешарыкского"),
        ("Buvayda", "Бувайдинского"), ("Dangʻara", "Дангаринского"), ("Fargʻona", "Ферганского"),
        ("Furqat", "Фуркатского"), ("Qoʻshtepa", "Куштепинского"), ("Quva", "Кувинского"),
        ("Rishton", "Риштанского"), ("Soʻx", "Сохского"), ("Toshloq", "Ташлакского"),
        ("Uchkoʻprik", "Учкуприкского"), ("Oʻzbekiston", "Узбекистанского"), ("Yozyovon", "Язъяванского"),
    ),
    "khorezm": (
        ("Bogʻot", "Багатского"), ("Gurlan", "Гурленского"), ("Xonqa", "Ханкинского"),
        ("Xiva", "Хивинского"), ("Qoʻshkoʻpir", "Кошкупырского"), ("Shovot", "Шаватского"),
        ("Urganch", "Ургенчского"), ("Yangiariq", "Янгиарыкского"), ("Yangibozor", "Янгибазарского"),
        ("Tuproqqalʼa", "Тупраккалинского"),
    ),
    "tashkent_city": (
        ("Bektemir", "Бектемирского"), ("Chilonzor", "Чиланзарского"), ("Mirobod", "Мирабадского"),
        ("Mirzo Ulugʻbek", "Мирзо-Улугбекского"), ("Olmazor", "Алмазарского"), ("Sergeli", "Сергелийского"),
        ("Shayxontohur", "Шайхантахурского"), ("Uchtepa", "Учтепинского"), ("Yakkasaroy", "Яккасарайского"),
        ("Yashnobod", "Яшнабадского"), ("Yunusobod", "Юнусабадского"), ("Yangihayot", "Янгихаётского"),
    ),
}  # fmt: skip

# The two real local hokimliks take their place in the lists above (their departments are
# generated like every other district's).
REAL_LOCAL: dict[str, tuple[str, str, str, str, str]] = {
    # code: (region, kind "city"/"district", Uzbek Latin, Russian form, English)
    "kuvasay_city": ("fergana", "city", "Quvasoy", "Кувасай", "Kuvasay"),
    "hazorasp_dist": ("khorezm", "district", "Hazorasp", "Хазараспского", "Hazorasp"),
}


@dataclass(frozen=True)
class Branch:
    """How a body names its territorial units; ``{place}`` etc. are filled per region/district.

    Placeholders: ``{place}`` "Buxoro viloyati" / "Hazorasp tumani", ``{place_ru}`` "Бухарской
    области" / "Хазараспского района", ``{place_en}`` "Bukhara Regional" / "Hazorasp District".
    """

    uz: str
    ru: str
    en: str
    kind: str | None = None  # None: the parent body's kind


def standard_branches(stem_uz: str, genitive_ru: str, topic_en: str) -> tuple[Branch, Branch]:
    """The usual pair: a regional *boshqarma* (department) and a district *boʻlim* (division)."""
    return (
        Branch(f"{{place}} {stem_uz} boshqarmasi", f"Управление {genitive_ru} {{place_ru}}",
               f"{{place_en}} Department of {topic_en}"),
        Branch(f"{{place}} {stem_uz} boʻlimi", f"Отдел {genitive_ru} {{place_ru}}",
               f"{{place_en}} Division of {topic_en}"),
    )  # fmt: skip


@dataclass(frozen=True)
class Body:
    """A national ministry, committee, agency, inspectorate or other body."""

    code: str
    kind: str
    names: tuple[str, str, str] | None  # (uz-Latn, ru, en); None: one of the 28 real ones
    regional: Branch | None = None  # its department in each region, if it has them
    district: Branch | None = None  # its division in each city and district, if it has them
    # Overrides the kind's head title: (uz, ru, en, deputy in Russian).
    head_title: tuple[str, str, str, str] | None = None


def _body(code, kind, names, stem=None, district=False, regional=None, district_branch=None,
          head_title=None) -> Body:  # fmt: skip
    pair = standard_branches(*stem) if stem else (None, None)
    return Body(
        code,
        kind,
        names,
        regional=regional or pair[0],
        district=district_branch or (pair[1] if district else None),
        head_title=head_title,
    )


# The 23 real national bodies first (names from institutions.tsv), then other real bodies of
# the Republic. ``stem``: (Uzbek stem, Russian genitive, English topic) of their branches.
BODIES: tuple[Body, ...] = (
    _body("justice", "ministry", None, ("Adliya", "юстиции", "Justice"), district=True),
    _body("mfa", "ministry", None),
    _body("health", "ministry", None, ("Sogʻliqni saqlash", "здравоохранения", "Health"),
          district_branch=Branch("{place} tibbiyot birlashmasi", "Медицинское объединение {place_ru}",
                                 "{place_en} Medical Association", "other")),
    _body("school", "ministry", None,
          ("Maktabgacha va maktab taʼlimi", "дошкольного и школьного образования", "Preschool and School Education"),
          district=True),
    _body("higher_ed", "ministry", None),
    _body("digital", "ministry", None, ("Raqamli texnologiyalar", "цифровых технологий", "Digital Technologies")),
    _body("econ_fin", "ministry", None, ("Iqtisodiyot va moliya", "экономики и финансов", "Economy and Finance")),
    _body("interior", "ministry", None, ("Ichki ishlar", "внутренних дел", "Internal Affairs"), district=True),
    _body("emergency", "ministry", None,
          ("Favqulodda vaziyatlar", "по чрезвычайным ситуациям", "Emergency Situations"), district=True),
    _body("agri", "ministry", None, ("Qishloq xoʻjaligi", "сельского хозяйства", "Agriculture"), district=True),
    _body("water", "ministry", None, ("Suv xoʻjaligi", "водного хозяйства", "Water Resources")),
    _body("energy", "ministry", None),
    _body("transport", "ministry", None, ("Transport", "транспорта", "Transport")),
    _body("employment", "ministry", None,
          ("Bandlik va kambagʻallikni qisqartirish", "занятости и сокращения бедности", "Employment and Poverty Reduction"),
          district_branch=Branch("{place} Bandlikka koʻmaklashish markazi", "Центр содействия занятости {place_ru}",
                                 "{place_en} Employment Assistance Centre", "other")),
    _body("ecology", "ministry", None,
          ("Ekologiya va atrof-muhitni muhofaza qilish", "экологии и охраны окружающей среды", "Ecology and Environmental Protection"),
          district=True),
    _body("mining", "ministry", None),
    _body("sport", "ministry", None, ("Sport", "спорта", "Sports"), district=True),
    _body("tax", "committee", None,
          regional=Branch("{place} Davlat soliq boshqarmasi", "Государственное налоговое управление {place_ru}",
                          "{place_en} State Tax Department"),
          district_branch=Branch("{place} Davlat soliq inspeksiyasi", "Государственная налоговая инспекция {place_ru}",
                                 "{place_en} State Tax Inspectorate", "inspectorate")),
    _body("customs", "committee", None,
          regional=Branch("{place} Bojxona boshqarmasi", "Таможенное управление {place_ru}", "{place_en} Customs Department")),
    _body("stat", "agency", None, ("Statistika", "статистики", "Statistics"), district=True),
    _body("anticor", "agency", None,
          regional=Branch("{place} Korrupsiyaga qarshi kurashish boshqarmasi",
                          "Управление по противодействию коррупции {place_ru}", "{place_en} Anti-Corruption Department")),
    _body("aimc", "agency", None,
          ("Axborot va ommaviy kommunikatsiyalar", "информации и массовых коммуникаций", "Information and Mass Communications")),
    _body("ombudsman", "other", None, head_title=("Vakil", "Уполномоченный", "Ombudsman", "Заместитель уполномоченного")),
    # Other bodies of the Republic.
    _body("culture", "ministry", ("Madaniyat vazirligi", "Министерство культуры", "Ministry of Culture"),
          ("Madaniyat", "культуры", "Culture"), district=True),
    _body("construction", "ministry",
          ("Qurilish va uy-joy kommunal xoʻjaligi vazirligi", "Министерство строительства и жилищно-коммунального хозяйства",
           "Ministry of Construction and Housing and Communal Services"),
          ("Qurilish va uy-joy kommunal xoʻjaligi", "строительства и жилищно-коммунального хозяйства",
           "Construction and Housing"), district=True),
    _body("defence", "ministry", ("Mudofaa vazirligi", "Министерство обороны", "Ministry of Defence")),
    _body("investment", "ministry",
          ("Investitsiyalar, sanoat va savdo vazirligi", "Министерство инвестиций, промышленности и торговли",
           "Ministry of Investment, Industry and Trade"),
          ("Investitsiyalar, sanoat va savdo", "инвестиций, промышленности и торговли", "Investment, Industry and Trade")),
    _body("family", "committee",
          ("Oila va xotin-qizlar qoʻmitasi", "Комитет по делам семьи и женщин", "Committee for Family and Women's Affairs"),
          ("Oila va xotin-qizlar", "по делам семьи и женщин", "Family and Women's Affairs"), district=True),
    _body("veterinary", "committee",
          ("Veterinariya va chorvachilikni rivojlantirish qoʻmitasi", "Комитет ветеринарии и развития животноводства",
           "Committee for Veterinary and Livestock Development"),
          ("Veterinariya va chorvachilikni rivojlantirish", "ветеринарии и развития животноводства",
           "Veterinary and Livestock Development"), district=True),
    _body("religion", "committee", ("Din ishlari boʻyicha qoʻmita", "Комитет по делам религий", "Committee on Religious Affairs")),
    _body("industrial_safety", "committee",
          ("Sanoat xavfsizligi davlat qoʻmitasi", "Государственный комитет промышленной безопасности",
           "State Committee for Industrial Safety"),
          ("Sanoat xavfsizligi", "промышленной безопасности", "Industrial Safety")),
    _body("competition", "committee",
          ("Raqobatni rivojlantirish va isteʼmolchilar huquqlarini himoya qilish qoʻmitasi",
           "Комитет по развитию конкуренции и защите прав потребителей",
           "Committee for Competition Development and Consumer Protection"),
          ("Raqobatni rivojlantirish va isteʼmolchilar huquqlarini himoya qilish",
           "по развитию конкуренции и защите прав потребителей", "Competition and Consumer Protection")),
    _body("tourism", "committee", ("Turizm qoʻmitasi", "Комитет по туризму", "Tourism Committee"),
          ("Turizm", "по туризму", "Tourism")),
    _body("sanitary", "committee",
          ("Sanitariya-epidemiologik osoyishtalik va jamoat salomatligi qoʻmitasi",
           "Комитет санитарно-эпидемиологического благополучия и общественного здоровья",
           "Committee for Sanitary and Epidemiological Welfare and Public Health"),
          ("Sanitariya-epidemiologik osoyishtalik va jamoat salomatligi",
           "санитарно-эпидемиологического благополучия и общественного здоровья",
           "Sanitary and Epidemiological Welfare"), district=True),
    _body("roads", "committee", ("Avtomobil yoʻllari qoʻmitasi", "Комитет автомобильных дорог", "Committee for Roads"),
          ("Avtomobil yoʻllari", "автомобильных дорог", "Roads")),
    _body("youth", "agency", ("Yoshlar ishlari agentligi", "Агентство по делам молодёжи", "Youth Affairs Agency"),
          ("Yoshlar ishlari", "по делам молодёжи", "Youth Affairs"), district=True),
    _body("cadastre", "agency", ("Kadastr agentligi", "Кадастровое агентство", "Cadastre Agency"),
          ("Kadastr", "кадастра", "Cadastre"), district=True),
    _body("state_assets", "agency",
          ("Davlat aktivlarini boshqarish agentligi", "Агентство по управлению государственными активами",
           "State Assets Management Agency"),
          ("Davlat aktivlarini boshqarish", "по управлению государственными активами", "State Assets Management")),
    _body("migration", "agency",
          ("Tashqi mehnat migratsiyasi agentligi", "Агентство внешней трудовой миграции", "External Labour Migration Agency"),
          ("Tashqi mehnat migratsiyasi", "внешней трудовой миграции", "External Labour Migration")),
    _body("public_services", "agency",
          ("Davlat xizmatlari agentligi", "Агентство государственных услуг", "Public Services Agency"),
          ("Davlat xizmatlari", "государственных услуг", "Public Services"),
          district_branch=Branch("{place} Davlat xizmatlari markazi", "Центр государственных услуг {place_ru}",
                                 "{place_en} Public Services Centre", "other")),
    _body("forestry", "agency", ("Oʻrmon xoʻjaligi agentligi", "Агентство лесного хозяйства", "Forestry Agency"),
          ("Oʻrmon xoʻjaligi", "лесного хозяйства", "Forestry")),
    _body("hydromet", "agency",
          ("Gidrometeorologiya xizmati agentligi", "Агентство гидрометеорологической службы",
           "Hydrometeorological Service Agency"),
          ("Gidrometeorologiya", "гидрометеорологии", "Hydrometeorology")),
    _body("archives", "agency", ("Arxiv ishlari agentligi", "Агентство по архивному делу", "Archives Agency"),
          ("Arxiv ishlari", "архивного дела", "Archives")),
    _body("civil_aviation", "agency", ("Fuqaro aviatsiyasi agentligi", "Агентство гражданской авиации", "Civil Aviation Agency")),
    _body("pharma", "agency",
          ("Farmatsevtika tarmogʻini rivojlantirish agentligi", "Агентство по развитию фармацевтической отрасли",
           "Pharmaceutical Industry Development Agency")),
    _body("strategic_reforms", "agency", ("Strategik islohotlar agentligi", "Агентство стратегических реформ", "Strategic Reforms Agency")),
    _body("tech_regulation", "agency",
          ("Texnik jihatdan tartibga solish agentligi", "Агентство по техническому регулированию", "Technical Regulation Agency")),
    _body("intellectual_property", "agency",
          ("Intellektual mulk agentligi", "Агентство по интеллектуальной собственности", "Intellectual Property Agency")),
    _body("cinema", "agency", ("Kinematografiya agentligi", "Агентство кинематографии", "Cinematography Agency")),
    _body("edu_inspection", "inspectorate",
          ("Taʼlim sifatini nazorat qilish inspeksiyasi", "Инспекция по контролю за качеством образования",
           "Education Quality Inspectorate"),
          ("Taʼlim sifatini nazorat qilish", "по контролю за качеством образования", "Education Quality Control")),
    _body("labour_inspection", "inspectorate",
          ("Davlat mehnat inspeksiyasi", "Государственная инспекция труда", "State Labour Inspectorate"),
          regional=Branch("{place} Davlat mehnat inspeksiyasi", "Государственная инспекция труда {place_ru}",
                          "{place_en} State Labour Inspectorate")),
    _body("construction_inspection", "inspectorate",
          ("Qurilish sohasida nazorat inspeksiyasi", "Инспекция по контролю в сфере строительства",
           "Construction Supervision Inspectorate"),
          regional=Branch("{place} Qurilish sohasida nazorat inspeksiyasi",
                          "Инспекция по контролю в сфере строительства {place_ru}",
                          "{place_en} Construction Supervision Inspectorate")),
    _body("energy_inspection", "inspectorate",
          ("Energetika sohasida nazorat inspeksiyasi", "Инспекция по контролю в сфере энергетики",
           "Energy Supervision Inspectorate"),
          regional=Branch("{place} Energetika sohasida nazorat inspeksiyasi",
                          "Инспекция по контролю в сфере энергетики {place_ru}",
                          "{place_en} Energy Supervision Inspectorate")),
    _body("agri_inspection", "inspectorate",
          ("Qishloq xoʻjaligida nazorat inspeksiyasi", "Инспекция по контролю в сельском хозяйстве",
           "Agricultural Supervision Inspectorate")),
    _body("child_ombudsman", "other",
          ("Bola huquqlari boʻyicha vakil", "Уполномоченный по правам ребёнка", "Children's Rights Ombudsman"),
          head_title=("Vakil", "Уполномоченный", "Ombudsman", "Заместитель уполномоченного")),
    _body("business_ombudsman", "other",
          ("Tadbirkorlik subyektlarining huquqlari va qonuniy manfaatlarini himoya qilish boʻyicha vakil",
           "Уполномоченный по защите прав и законных интересов субъектов предпринимательства",
           "Business Ombudsman"),
          head_title=("Vakil", "Уполномоченный", "Ombudsman", "Заместитель уполномоченного")),
    _body("health_insurance", "other",
          ("Davlat tibbiy sugʻurta jamgʻarmasi", "Государственный фонд медицинского страхования",
           "State Health Insurance Fund"),
          head_title=("Jamgʻarma direktori", "Директор фонда", "Director of the Fund", "Заместитель директора фонда")),
)  # fmt: skip

# District divisions are added body by body in this order, so that a scale between two bodies
# still covers every district with the first ones.
DISTRICT_BODY_ORDER: tuple[str, ...] = (
    "justice", "interior", "emergency", "school", "health", "tax", "employment", "public_services",
    "agri", "stat", "ecology", "sport", "culture", "construction", "family", "veterinary",
    "sanitary", "youth", "cadastre",
)  # fmt: skip


@dataclass(frozen=True)
class RealInstitution:
    code: str
    kind: str
    region_code: str
    parent_code: str | None
    preferred_language: str
    name_uz_latn: str
    name_uz_cyrl: str
    name_ru: str
    name_en: str
    website: str | None


# The 28 real institutions of shared/reference/institutions.tsv, in its order; kinds, regions,
# parents and languages chosen for the demo ("(not found ...)" websites left empty).
REAL_INSTITUTIONS: tuple[RealInstitution, ...] = (
    RealInstitution('justice', 'ministry', 'national', None, 'uz-Latn',
                    'Adliya vazirligi', 'Адлия вазирлиги',
                    'Министерство юстиции', 'Ministry of Justice', 'adliya.uz'),
    RealInstitution('mfa', 'ministry', 'national', None, 'en',
                    'Tashqi ishlar vazirligi', 'Ташқи ишлар вазирлиги',
                    'Министерство иностранных дел', 'Ministry of Foreign Affairs', 'mfa.uz'),
    RealInstitution('health', 'ministry', 'national', None, 'ru',
                    'Sogʻliqni saqlash vazirligi', 'Соғлиқни сақлаш вазирлиги',
                    'Министерство здравоохранения', 'Ministry of Health', 'ssv.uz'),
    RealInstitution('school', 'ministry', 'national', None, 'uz-Cyrl',
                    'Maktabgacha va maktab taʼlimi vazirligi', 'Мактабгача ва мактаб таълими вазирлиги',
                    'Министерство дошкольного и школьного образования', 'Ministry of Preschool and School Education', 'uzedu.uz'),
    RealInstitution('higher_ed', 'ministry', 'national', None, 'uz-Latn',
                    'Oliy taʼlim, fan va innovatsiyalar vazirligi', 'Олий таълим, фан ва инновациялар вазирлиги',
                    'Министерство высшего образования, науки и инноваций', 'Ministry of Higher Education, Science and Innovation', 'edu.uz'),
    RealInstitution('digital', 'ministry', 'national', None, 'en',
                    'Raqamli texnologiyalar vazirligi', 'Рақамли технологиялар вазирлиги',
                    'Министерство цифровых технологий', 'Ministry of Digital Technologies', 'digital.uz'),
    RealInstitution('econ_fin', 'ministry', 'national', None, 'ru',
                    'Iqtisodiyot va moliya vazirligi', 'Иқтисодиёт ва молия вазирлиги',
                    'Министерство экономики и финансов', 'Ministry of Economy and Finance', 'imv.uz'),
    RealInstitution('interior', 'ministry', 'national', None, 'uz-Cyrl',
                    'Ichki ishlar vazirligi', 'Ички ишлар вазирлиги',
                    'Министерство внутренних дел', 'Ministry of Internal Affairs', 'iiv.uz'),
    RealInstitution('emergency', 'ministry', 'national', None, 'uz-Latn',
                    'Favqulodda vaziyatlar vazirligi', 'Фавқулодда вазиятлар вазирлиги',
                    'Министерство по чрезвычайным ситуациям', 'Ministry of Emergency Situations', 'fvv.uz'),
    RealInstitution('agri', 'ministry', 'national', None, 'uz-Latn',
                    'Qishloq xoʻjaligi vazirligi', 'Қишлоқ хўжалиги вазирлиги',
                    'Министерство сельского хозяйства', 'Ministry of Agriculture', 'agro.uz'),
    RealInstitution('water', 'ministry', 'national', None, 'uz-Cyrl',
                    'Suv xoʻjaligi vazirligi', 'Сув хўжалиги вазирлиги',
                    'Министерство водного хозяйства', 'Ministry of Water Resources', 'water.gov.uz'),
    RealInstitution('energy', 'ministry', 'national', None, 'ru',
                    'Energetika vazirligi', 'Энергетика вазирлиги',
                    'Министерство энергетики', 'Ministry of Energy', 'minenergy.uz'),
    RealInstitution('transport', 'ministry', 'national', None, 'uz-Latn',
                    'Transport vazirligi', 'Транспорт вазирлиги',
                    'Министерство транспорта', 'Ministry of Transport', 'mintrans.uz'),
    RealInstitution('employment', 'ministry', 'national', None, 'uz-Latn',
                    'Kambagʻallikni qisqartirish va bandlik vazirligi', 'Камбағалликни қисқартириш ва бандлик вазирлиги',
                    'Министерство занятости и сокращения бедности', 'Ministry of Employment and Poverty Reduction', 'mehnat.uz'),
    RealInstitution('ecology', 'ministry', 'national', None, 'en',
                    'Ekologiya, atrof-muhitni muhofaza qilish va iqlim oʻzgarishi vazirligi', 'Экология, атроф-муҳитни муҳофаза қилиш ва иқлим ўзгариши вазирлиги',
                    'Министерство экологии, охраны окружающей среды и изменения климата', 'Ministry of Ecology, Environmental Protection and Climate Change', 'eco.gov.uz'),
    RealInstitution('mining', 'ministry', 'national', None, 'ru',
                    'Konchilik sanoati va geologiya vazirligi', 'Кончилик саноати ва геология вазирлиги',
                    'Министерство горнодобывающей промышленности и геологии', 'Ministry of Mining and Geology', 'mingeo.uz'),
    RealInstitution('sport', 'ministry', 'national', None, 'uz-Latn',
                    'Sport vazirligi', 'Спорт вазирлиги',
                    'Министерство спорта', 'Ministry of Sports', 'minsport.uz'),
    RealInstitution('tax', 'committee', 'national', None, 'uz-Latn',
                    'Soliq qoʻmitasi', 'Солиқ қўмитаси',
                    'Налоговый комитет', 'Tax Committee', 'soliq.uz'),
    RealInstitution('customs', 'committee', 'national', None, 'ru',
                    'Bojxona qoʻmitasi', 'Божхона қўмитаси',
                    'Таможенный комитет', 'Customs Committee', 'customs.uz'),
    RealInstitution('stat', 'agency', 'national', None, 'en',
                    'Prezident huzuridagi Statistika agentligi', 'Президент ҳузуридаги Статистика агентлиги',
                    'Агентство статистики при Президенте', 'Statistics Agency under the President', 'stat.uz'),
    RealInstitution('anticor', 'agency', 'national', None, 'uz-Latn',
                    'Korrupsiyaga qarshi kurashish agentligi', 'Коррупцияга қарши курашиш агентлиги',
                    'Агентство по противодействию коррупции', 'Anti-Corruption Agency', 'anticorruption.uz'),
    RealInstitution('aimc', 'agency', 'national', None, 'uz-Cyrl',
                    'Axborot va ommaviy kommunikatsiyalar agentligi', 'Ахборот ва оммавий коммуникациялар агентлиги',
                    'Агентство информации и массовых коммуникаций', 'Agency of Information and Mass Communications', 'aoka.uz'),
    RealInstitution('ombudsman', 'other', 'national', None, 'ru',
                    'Oliy Majlisning Inson huquqlari boʻyicha vakili (ombudsman)', 'Олий Мажлиснинг Инсон ҳуқуқлари бўйича вакили (омбудсман)',
                    'Уполномоченный Олий Мажлиса по правам человека (Омбудсман)', 'Authorized Person of the Oliy Majlis for Human Rights (Ombudsman)', 'ombudsman.uz'),
    RealInstitution('tashkent_city', 'city_administration', 'tashkent_city', None, 'uz-Latn',
                    'Toshkent shahar hokimligi', 'Тошкент шаҳар ҳокимлиги',
                    'Хокимият города Ташкента', 'Tashkent City Khokimiyat', 'tashkent.uz'),
    RealInstitution('fergana_reg', 'regional_administration', 'fergana', None, 'uz-Cyrl',
                    'Fargʻona viloyati hokimligi', 'Фарғона вилояти ҳокимлиги',
                    'Хокимият Ферганской области', 'Fergana Regional Khokimiyat', 'fergana.uz'),
    RealInstitution('kuvasay_city', 'city_administration', 'fergana', 'fergana_reg', 'uz-Latn',
                    'Quvasoy shahar hokimligi', 'Қувасой шаҳар ҳокимлиги',
                    'Хокимият города Кувасай', 'Kuvasay City Khokimiyat', None),
    RealInstitution('sirdaryo_reg', 'regional_administration', 'syrdarya', None, 'ru',
                    'Sirdaryo viloyati hokimligi', 'Сирдарё вилояти ҳокимлиги',
                    'Хокимият Сырдарьинской области', 'Syrdarya Regional Khokimiyat', 'sirdaryo.uz'),
    RealInstitution('hazorasp_dist', 'district_administration', 'khorezm', 'khorezm_reg', 'uz-Cyrl',
                    'Hazorasp tumani hokimligi', 'Ҳазорасп тумани ҳокимлиги',
                    'Хокимият Хазараспского района', 'Hazorasp District Khokimiyat', 'hazorasphokimiyat.uz'),
)  # fmt: skip
