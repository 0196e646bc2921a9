"""The example catalogue, made by a seeded, reproducible generator (synthetic content).

`python -m examples.make_catalogue` rewrites examples/catalogue-2023.json: the "Mois de
l'innovation publique" of November 2023 with about 150 events across the 18 régions, seven
formats, on-site, online and mixed events, live statuses, a few events still in moderation, and
two tracks ("parcours") of five and four steps. Every name, address and link is synthetic (links
use the reserved `.example` domain). `generate_events` is reused by `bench_catalogue` to make
10,000 events.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import unicodedata
from pathlib import Path
from typing import Any

from api.catalogue.vocabulary import ACCESSIBILITY, AUDIENCES

EXAMPLES_DIR = Path(__file__).resolve().parent
OUTPUT = EXAMPLES_DIR / "catalogue-2023.json"
SEED = 2023
EDITION = {
    "slug": "mois-innovation-publique-2023",
    "title": "Mois de l'innovation publique 2023",
    "starts_on": "2023-11-02",
    "ends_on": "2023-11-30",
    "submission_deadline": "2023-10-20T23:59:00+02:00",
}
FORMATS: list[dict[str, Any]] = [
    {"slug": "conference", "label_fr": "Conférence", "label_en": "Conference", "position": 1},
    {"slug": "webinaire", "label_fr": "Webinaire", "label_en": "Webinar", "position": 2},
    {"slug": "atelier", "label_fr": "Atelier collaboratif", "label_en": "Collaborative workshop",
     "position": 3},
    {"slug": "hackathon", "label_fr": "Hackathon / simplificathon",
     "label_en": "Hackathon / simplificathon", "position": 4},
    {"slug": "formation", "label_fr": "Formation", "label_en": "Training", "position": 5},
    {"slug": "portes-ouvertes", "label_fr": "Portes ouvertes", "label_en": "Open day",
     "position": 6},
    {"slug": "debat-citoyen", "label_fr": "Débat citoyen", "label_en": "Citizens' debate",
     "position": 7},
]  # fmt: skip
FORMAT_WEIGHTS = {"conference": 18, "webinaire": 22, "atelier": 24, "hackathon": 6,
                  "formation": 12, "portes-ouvertes": 8, "debat-citoyen": 10}  # fmt: skip
DURATIONS = {"conference": (90, 150), "webinaire": (45, 90), "atelier": (120, 210),
             "hackathon": (420, 540), "formation": (180, 420), "portes-ouvertes": (180, 300),
             "debat-citoyen": (90, 150)}  # fmt: skip
THEMES = [
    "Transformation numérique", "Transition écologique", "Relation aux usagers",
    "Management et ressources humaines", "Participation citoyenne", "Données et IA",
    "Simplification administrative", "Innovation territoriale", "Design des politiques publiques",
    "Inclusion et accessibilité",
]  # fmt: skip
SUBJECTS = {
    "Transformation numérique": [
        "dématérialiser sans exclure", "les communs numériques dans les collectivités",
        "sobriété numérique des services", "outils collaboratifs libres pour les équipes",
    ],
    "Transition écologique": [
        "la rénovation énergétique des bâtiments publics", "achats publics responsables",
        "mobilités douces des agents", "îlots de fraîcheur en ville",
    ],
    "Relation aux usagers": [
        "l'accueil France services", "le langage clair dans les courriers",
        "mesurer la satisfaction des usagers", "les parcours usagers de bout en bout",
    ],
    "Management et ressources humaines": [
        "le management par la confiance", "le télétravail après la crise",
        "l'intégration des nouveaux agents", "l'intelligence collective en équipe",
    ],
    "Participation citoyenne": [
        "les budgets participatifs", "les conventions citoyennes locales",
        "associer les jeunes aux décisions", "la concertation en ligne",
    ],
    "Données et IA": [
        "l'ouverture des données publiques", "l'IA générative et la rédaction administrative",
        "piloter par la donnée", "l'éthique des algorithmes publics",
    ],
    "Simplification administrative": [
        "le « Dites-le-nous une fois »", "simplifier les formulaires",
        "supprimer les justificatifs inutiles", "les démarches proactives",
    ],
    "Innovation territoriale": [
        "les laboratoires d'innovation territoriale", "revitaliser les centres-bourgs",
        "les tiers-lieux publics", "coopérer entre communes rurales",
    ],
    "Design des politiques publiques": [
        "le design de service en pratique", "prototyper une politique publique",
        "l'immersion sur le terrain", "évaluer par l'expérimentation",
    ],
    "Inclusion et accessibilité": [
        "l'accessibilité numérique (RGAA)", "l'inclusion des personnes en situation de handicap",
        "le facile à lire et à comprendre (FALC)", "lutter contre le non-recours aux droits",
    ],
}  # fmt: skip
KEYWORDS = {
    "Transformation numérique": ["numérique", "logiciel libre", "sobriété", "outils"],
    "Transition écologique": ["climat", "énergie", "achats durables", "biodiversité"],
    "Relation aux usagers": ["accueil", "langage clair", "satisfaction", "France services"],
    "Management et ressources humaines": ["management", "télétravail", "recrutement", "équipe"],
    "Participation citoyenne": ["concertation", "budget participatif", "jeunesse", "démocratie"],
    "Données et IA": ["open data", "intelligence artificielle", "algorithmes", "pilotage"],
    "Simplification administrative": ["formulaires", "démarches", "justificatifs", "proactivité"],
    "Innovation territoriale": ["ruralité", "tiers-lieux", "coopération", "centres-bourgs"],
    "Design des politiques publiques": ["design", "prototype", "immersion", "expérimentation"],
    "Inclusion et accessibilité": ["RGAA", "handicap", "FALC", "non-recours"],
}  # fmt: skip
TITLE_PATTERNS = {
    "conference": ["Conférence : {s}", "{S} : retours d'expérience", "Grand témoin : {s}"],
    "webinaire": ["Webinaire : {s}", "{S} en 60 minutes", "Webinaire – {s}, mode d'emploi"],
    "atelier": ["Atelier : {s}", "Atelier collaboratif – {s}", "Co-construire : {s}"],
    "hackathon": ["Simplificathon : {s}", "Hackathon : {s}", "48 heures pour agir – {s}"],
    "formation": ["Formation : {s}", "Initiation : {s}", "Formation-action – {s}"],
    "portes-ouvertes": ["Portes ouvertes : {s}", "Visite de terrain – {s}"],
    "debat-citoyen": ["Débat citoyen : {s}", "Café citoyen : {s}", "Parlons-en : {s}"],
}
PLACES = [
    ("75", "Paris", "75012"),
    ("92", "Nanterre", "92000"),
    ("93", "Bobigny", "93000"),
    ("94", "Créteil", "94000"),
    ("91", "Évry-Courcouronnes", "91000"),
    ("78", "Versailles", "78000"),
    ("95", "Cergy", "95000"),
    ("77", "Melun", "77000"),
    ("69", "Lyon", "69003"),
    ("38", "Grenoble", "38000"),
    ("63", "Clermont-Ferrand", "63000"),
    ("42", "Saint-Étienne", "42000"),
    ("73", "Chambéry", "73000"),
    ("74", "Annecy", "74000"),
    ("26", "Valence", "26000"),
    ("13", "Marseille", "13001"),
    ("06", "Nice", "06000"),
    ("83", "Toulon", "83000"),
    ("84", "Avignon", "84000"),
    ("05", "Gap", "05000"),
    ("31", "Toulouse", "31000"),
    ("34", "Montpellier", "34000"),
    ("30", "Nîmes", "30000"),
    ("66", "Perpignan", "66000"),
    ("81", "Albi", "81000"),
    ("33", "Bordeaux", "33000"),
    ("87", "Limoges", "87000"),
    ("86", "Poitiers", "86000"),
    ("17", "La Rochelle", "17000"),
    ("64", "Pau", "64000"),
    ("24", "Périgueux", "24000"),
    ("40", "Mont-de-Marsan", "40000"),
    ("59", "Lille", "59000"),
    ("62", "Arras", "62000"),
    ("80", "Amiens", "80000"),
    ("02", "Laon", "02000"),
    ("67", "Strasbourg", "67000"),
    ("68", "Colmar", "68000"),
    ("57", "Metz", "57000"),
    ("54", "Nancy", "54000"),
    ("51", "Reims", "51100"),
    ("10", "Troyes", "10000"),
    ("44", "Nantes", "44000"),
    ("49", "Angers", "49000"),
    ("72", "Le Mans", "72000"),
    ("35", "Rennes", "35000"),
    ("29", "Brest", "29200"),
    ("56", "Vannes", "56000"),
    ("76", "Rouen", "76000"),
    ("14", "Caen", "14000"),
    ("50", "Saint-Lô", "50000"),
    ("61", "Alençon", "61000"),
    ("21", "Dijon", "21000"),
    ("25", "Besançon", "25000"),
    ("89", "Auxerre", "89000"),
    ("71", "Mâcon", "71000"),
    ("45", "Orléans", "45000"),
    ("37", "Tours", "37000"),
    ("18", "Bourges", "18000"),
    ("28", "Chartres", "28000"),
    ("2A", "Ajaccio", "20000"),
    ("2B", "Bastia", "20200"),
    ("971", "Pointe-à-Pitre", "97110"),
    ("972", "Fort-de-France", "97200"),
    ("973", "Cayenne", "97300"),
    ("974", "Saint-Denis", "97400"),
    ("976", "Mamoudzou", "97600"),
]
PLACE_WEIGHTS = {"75": 8, "69": 5, "13": 4, "31": 4, "33": 4, "59": 4, "67": 3, "44": 3, "35": 3}
VENUES = [
    "Hôtel de ville", "Maison des services publics", "Médiathèque municipale",
    "Salle des fêtes", "Préfecture, salle des conférences", "Tiers-lieu La Fabrique",
    "Campus des métiers", "Maison de l'innovation publique", "Centre administratif",
    "Espace France services",
]  # fmt: skip
STREETS = [
    "rue de la République", "place de l'Hôtel de Ville", "avenue Jean Jaurès", "rue Victor Hugo",
    "boulevard Gambetta", "rue de la Liberté", "place du Marché", "rue des Écoles",
    "avenue de la Gare", "quai des Arts",
]  # fmt: skip
STRUCTURES = [
    "Laboratoire d'innovation territoriale {region}",
    "Direction départementale des territoires ({dep})",
    "Conseil départemental ({dep})",
    "Ville de {commune}",
    "Communauté d'agglomération de {commune}",
    "Secrétariat général pour les affaires régionales {region}",
    "Centre de gestion ({dep})",
    "Caisse d'allocations familiales ({dep})",
    "Rectorat, académie de {commune}",
    "Centre hospitalier de {commune}",
]
ONLINE_STRUCTURES = [
    "Direction interministérielle de la transformation publique (exemple)",
    "Institut national du service public (exemple)", "Réseau des labs d'innovation (exemple)",
    "Agence du numérique public (exemple)",
]  # fmt: skip
FIRST_NAMES = [
    "Camille",
    "Julien",
    "Sophie",
    "Nicolas",
    "Claire",
    "Thomas",
    "Inès",
    "Hugo",
    "Léa",
    "Mathieu",
    "Aurélie",
    "Yann",
    "Élodie",
    "Karim",
    "Manon",
    "Pierre",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Moreau",
    "Laurent",
    "Lefèvre",
    "Girard",
    "Bonnet",
    "Nguyen",
    "Fontaine",
    "Rousseau",
    "Mercier",
    "Benali",
    "Garnier",
    "Roux",
    "Faure",
]
AUDIENCE_CHOICES = list(AUDIENCES)  # "agents_publics" first
ACCESSIBILITY_CHOICES = list(ACCESSIBILITY)
STATUS_WEIGHTS = {"scheduled": 88, "full": 5, "rescheduled": 2, "postponed": 2, "cancelled": 2,
                  "moved_online": 1}  # fmt: skip
DEMO_CONTRIBUTORS = ["camille.martin@administration.example", "julien.dubois@collectivite.example"]
TRACKS: list[dict[str, Any]] = [
    {
        "slug": "adaptation-climat-redirection-ecologique",
        "title": "Adaptation au changement climatique & Redirection écologique",
        "description": "Un parcours en cinq étapes pour comprendre les effets du changement "
        "climatique sur l'action publique et engager la redirection écologique de son service.",
        "steps": [
            ("conference", "online", "Comprendre les scénarios climatiques pour son territoire"),
            ("atelier", "mixed", "Cartographier les vulnérabilités de son service"),
            ("formation", "online", "La comptabilité carbone d'une administration"),
            ("atelier", "on_site", "Renoncer et rediriger : arbitrer les projets"),
            ("debat-citoyen", "mixed", "Restitution et débat avec les habitants"),
        ],
    },
    {
        "slug": "ia-au-service-des-agents",
        "title": "L'intelligence artificielle au service des agents",
        "description": "Quatre rendez-vous pour découvrir, expérimenter et encadrer les usages "
        "de l'IA générative dans les administrations.",
        "steps": [
            ("webinaire", "online", "Ce que l'IA générative change au travail administratif"),
            ("atelier", "online", "Rédiger avec un assistant : atelier pratique"),
            ("formation", "mixed", "Données personnelles et IA : les règles à connaître"),
            ("conference", "mixed", "Retours d'expérience et doctrine d'usage"),
        ],
    },
]
PARIS = dt.timezone(dt.timedelta(hours=1))  # November is in winter time (UTC+1) in Paris


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words)[:60]


def pick_weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def pick_place(rng: random.Random) -> tuple[str, str, str]:
    weights = [PLACE_WEIGHTS.get(dep, 1) for dep, _c, _p in PLACES]
    return rng.choices(PLACES, weights=weights)[0]


def pick_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A working day between first and last (inclusive)."""
    while True:
        day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        if day.weekday() < 5:
            return day


def timing(day: dt.date, start_minutes: int, duration: int) -> dict[str, str]:
    start = dt.datetime.combine(day, dt.time(0, 0), PARIS) + dt.timedelta(minutes=start_minutes)
    end = start + dt.timedelta(minutes=duration)
    return {"start": start.isoformat(), "end": end.isoformat()}


def make_timings(
    rng: random.Random, fmt: str, first: dt.date, last: dt.date
) -> list[dict[str, str]]:
    low, high = DURATIONS[fmt]
    duration = rng.randrange(low, high + 1, 15)
    day = pick_day(rng, first, last)
    if fmt == "hackathon":
        second = day + dt.timedelta(days=1)
        if second > last or second.weekday() >= 5:
            second = day - dt.timedelta(days=1)
        days = sorted({day, second})
        return [timing(d, 9 * 60, duration) for d in days]
    start = rng.choice([9 * 60, 9 * 60 + 30, 10 * 60, 11 * 60, 14 * 60, 14 * 60 + 30, 16 * 60])
    if start + duration > 19 * 60:
        start = 9 * 60
    timings = [timing(day, start, duration)]
    if fmt in ("webinaire", "formation") and rng.random() < 0.2:
        again = pick_day(rng, first, last)
        if again != day:
            timings.append(timing(again, start, duration))
    return sorted(timings, key=lambda t: t["start"])


def long_description(rng: random.Random, subject: str, theme: str) -> str:
    points = rng.sample(SUBJECTS[theme], k=min(3, len(SUBJECTS[theme])))
    lines = [
        f"Cet événement propose de travailler sur **{subject}**, avec des agents et des "
        "partenaires qui l'ont mis en pratique.",
        "",
        "Au programme :",
        "",
        *[f"- {point[0].upper()}{point[1:]}" for point in points],
        "",
        "*Contenu fictif généré pour l'exemple.* Plus d'informations sur "
        "[le site de l'organisateur](https://organisateur.example/programme).",
    ]
    return "\n".join(lines)


def person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{slugify(first)}.{slugify(last)}@administration.example"
    return f"{first} {last}", email


def make_event(
    rng: random.Random,
    ref: str,
    *,
    first: dt.date,
    last: dt.date,
    regions_by_dep: dict[str, str],
    fmt: str | None = None,
    mode: str | None = None,
    title: str | None = None,
    place: tuple[str, str, str] | None = None,
) -> dict[str, Any]:
    """One synthetic event (the shape of EventFields plus ref and state)."""
    fmt = fmt or pick_weighted(rng, FORMAT_WEIGHTS)
    theme = rng.choice(THEMES)
    subject = rng.choice(SUBJECTS[theme])
    if title is None:
        pattern = rng.choice(TITLE_PATTERNS[fmt])
        title = pattern.format(s=subject, S=subject[0].upper() + subject[1:])
    if mode is None:
        mode = (
            "online"
            if fmt == "webinaire"
            else rng.choices(["on_site", "mixed", "online"], weights=[68, 14, 18])[0]
        )
    dep, commune, postal = place or pick_place(rng)
    contact_name, contact_email = person(rng)
    structure = rng.choice(STRUCTURES if mode != "online" else STRUCTURES + ONLINE_STRUCTURES)
    structure = structure.format(dep=dep, commune=commune, region=regions_by_dep[dep])
    themes = [theme, *rng.sample([t for t in THEMES if t != theme], k=rng.choice([0, 0, 1]))]
    audiences = ["agents_publics", *rng.sample(AUDIENCE_CHOICES[1:], k=rng.choice([0, 1, 2]))]
    if fmt == "debat-citoyen":
        audiences = ["grand_public", "elus", *audiences[:1]]
    event: dict[str, Any] = {
        "ref": ref,
        "title": title[:140],
        "short_description": f"{fmt_label(fmt)} : {subject}. Ouvert à "
        f"{'tous' if 'grand_public' in audiences else 'tous les agents publics'}."[:200],
        "long_description": long_description(rng, subject, theme),
        "format": fmt,
        "themes": themes,
        "keywords": rng.sample(KEYWORDS[theme], k=2),
        "timings": make_timings(rng, fmt, first, last),
        "attendance_mode": mode,
        "audiences": audiences,
        "accessibility": sorted(rng.sample(ACCESSIBILITY_CHOICES, k=rng.choice([0, 1, 2, 3, 5]))),
        "organizer": {
            "structure": structure,
            "contact_name": contact_name,
            "contact_email": contact_email,
        },
        "status": pick_weighted(rng, STATUS_WEIGHTS),
    }
    if mode in ("online", "mixed"):
        event["online_url"] = f"https://visio.example/{ref}"
    if mode in ("on_site", "mixed"):
        event["place"] = {
            "name": rng.choice(VENUES),
            "address": f"{rng.randrange(1, 80)} {rng.choice(STREETS)}",
            "postal_code": postal,
            "commune": commune,
            "departement": dep,
        }
    elif rng.random() < 0.7:
        event["place"] = None
    if rng.random() < 0.7:
        event["registration_url"] = f"https://inscription.example/{ref}"
    else:
        event["registration_email"] = contact_email
    return event


def fmt_label(slug: str) -> str:
    return str(next(f["label_fr"] for f in FORMATS if f["slug"] == slug))


def regions_by_departement() -> dict[str, str]:
    from api.catalogue.geography import departements, regions

    return {code: regions()[d.region_code].name for code, d in departements().items()}


def generate_events(
    rng: random.Random, count: int, *, first: dt.date, last: dt.date, prefix: str = "moip23"
) -> list[dict[str, Any]]:
    """`count` synthetic events between two days (no track, no state)."""
    regions_of = regions_by_departement()
    one_per_region = list({regions_of[place[0]]: place for place in PLACES}.values())
    return [
        make_event(
            rng,
            f"{prefix}-{index:05d}",
            first=first,
            last=last,
            regions_by_dep=regions_of,
            mode="on_site" if index <= len(one_per_region) else None,
            fmt="atelier" if index <= len(one_per_region) else None,
            place=one_per_region[index - 1] if index <= len(one_per_region) else None,
        )
        for index in range(1, count + 1)
    ]


def generate_catalogue(seed: int = SEED, count: int = 141) -> dict[str, Any]:
    """The example catalogue: `count` free events plus the steps of the two tracks."""
    rng = random.Random(seed)
    first = dt.date.fromisoformat(EDITION["starts_on"])
    last = dt.date.fromisoformat(EDITION["ends_on"])
    events = generate_events(rng, count, first=first, last=last)
    regions_of = regions_by_departement()
    for track in TRACKS:
        step_days = [first + dt.timedelta(days=6 * i + 1) for i in range(len(track["steps"]))]
        for number, ((fmt, mode, title), day) in enumerate(
            zip(track["steps"], step_days, strict=True), start=1
        ):
            ref = f"{track['slug'][:20]}-{number}"
            event = make_event(
                rng,
                ref,
                first=day,
                last=min(last, day + dt.timedelta(days=2)),
                regions_by_dep=regions_of,
                fmt=fmt,
                mode=mode,
                title=title,
            )
            event.update(track=track["slug"], track_step=number, status="scheduled")
            events.append(event)
    events.sort(key=lambda e: (e["timings"][0]["start"], e["ref"]))
    assign_states(rng, events)
    tracks = [{k: v for k, v in t.items() if k != "steps"} for t in TRACKS]
    return {
        "format": "catalogue/v1",
        "edition": EDITION,
        "formats": FORMATS,
        "tracks": tracks,
        "events": events,
    }


def assign_states(rng: random.Random, events: list[dict[str, Any]]) -> None:
    """Mostly published (in October, before the deadline); a few still in moderation."""
    one_per_region = len({region for region in regions_by_departement().values()})
    free = [  # not in a track, not one of the events that cover every région
        e for e in events if "track" not in e and int(e["ref"].rsplit("-", 1)[1]) > one_per_region
    ]
    for event in events:
        event["state"] = "published"
        day = dt.date(2023, 10, 1) + dt.timedelta(days=rng.randrange(19))
        event["published_at"] = f"{day.isoformat()}T{rng.randrange(9, 18):02d}:00:00+02:00"
    for event, state in zip(
        rng.sample(free, 10),
        ["submitted"] * 5 + ["draft"] * 2 + ["changes_requested"] * 2 + ["rejected"],
        strict=True,
    ):
        event["state"] = state
        del event["published_at"]
    for index, event in enumerate(rng.sample(free, 12)):
        event["contributor"] = DEMO_CONTRIBUTORS[index % len(DEMO_CONTRIBUTORS)]


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    args.output.write_text(dumps(generate_catalogue(args.seed)), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
