"""Seeded profiles of the AGIR example (a profiles/v1 document), for the suggestions' bench.

`python -m examples.make_profiles` writes examples/agir-2023-profiles.json from
examples/agir-2023.json; the same seed always gives the same bytes. The profiles come from the
same themes as the salon: each director's programme ("Lasers de puissance pour la gendarmerie
mobile") gives its description, needs, keywords and theme; each industrial writes about what it
actually asked for: the programmes of most of its wishes (a few left out, one subject it did not
ask added, as real companies write about more than they ask), in its own words (singulars and
plurals swapped, a share of the companies writing in English). So "its wishes found among its
top 10 suggestions" measures how well the matching reads profiles written apart.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from examples.generate import EXAMPLES_DIR
from examples.names import PROGRAMME_CONTEXTS, PROGRAMME_SUBJECTS

SEED = 14
SHARE_ENGLISH = 0.2
SHARE_WISHES_WRITTEN = 0.7
AGIR = EXAMPLES_DIR / "agir-2023.json"
OUTPUT = EXAMPLES_DIR / "agir-2023-profiles.json"

CYBER = "Cyber et numérique"
# subject -> (theme, related French words, English words)
SUBJECTS: dict[str, tuple[str, str, str]] = {
    "Drones tactiques": ("Drones et robotique", "drone vol autonome essaim", "tactical drones"),
    "Robotique terrestre": ("Drones et robotique", "robot mobilité autonomie", "ground robots"),
    "Optronique": ("Capteurs et optronique", "caméra infrarouge vision", "optronics cameras"),
    "Radars": ("Capteurs et optronique", "radar antenne détection", "radars antennas"),
    "Guerre électronique": (CYBER, "brouillage signal spectre", "electronic warfare"),
    "Cyberdéfense": (CYBER, "cyberattaque sécurité réseau", "cyber defence"),
    "Communications sécurisées": (CYBER, "chiffrement radio liaison", "secure comms"),
    "Stockage d'énergie": ("Énergie et matériaux", "batterie autonomie énergétique", "batteries"),
    "Santé du combattant": ("Soutien et santé", "médical blessé secours", "soldier health"),
    "Munitions intelligentes": ("Armement", "munition guidage précision", "smart munitions"),
    "Simulation et entraînement": ("Soutien et santé", "simulateur formation", "simulation"),
    "Intelligence artificielle": (CYBER, "apprentissage algorithme", "AI"),
    "Surveillance spatiale": ("Espace", "satellite orbite débris", "space surveillance"),
    "Maintien en condition opérationnelle": ("Soutien et santé", "maintenance pièce", "upkeep"),
    "Logistique prédictive": ("Soutien et santé", "logistique prévision flux", "logistics"),
    "Protection NRBC": ("Protection", "chimique biologique décontamination", "CBRN protection"),
    "Lutte anti-drones": ("Drones et robotique", "neutralisation drone détection", "counter-UAS"),
    "Navigation résiliente": ("Espace", "navigation GNSS brouillage", "resilient navigation"),
    "Technologies quantiques": (CYBER, "quantique capteur calcul", "quantum"),
    "Matériaux avancés": ("Énergie et matériaux", "matériau composite blindage", "materials"),
    "Fabrication additive": ("Énergie et matériaux", "impression pièce métal", "3D printing"),
    "Géolocalisation": ("Espace", "localisation positionnement cartographie", "geolocation"),
    "Imagerie satellitaire": ("Espace", "satellite image observation", "satellite imagery"),
    "Hydrographie": ("Maritime", "fond marin sonar cartographie", "hydrography"),
    "Surveillance maritime": ("Maritime", "navire détection côtière", "maritime surveillance"),
    "Équipements du combattant": ("Protection", "équipement gilet casque", "soldier kit"),
    "Police technique et scientifique": ("Protection", "analyse trace preuve", "forensics"),
    "Traitement massif de données": (CYBER, "données analyse", "big data"),
    "Cloud de défense": (CYBER, "cloud hébergement souverain", "defence cloud"),
    "Détection d'explosifs": ("Protection", "explosif détection capteur", "explosive detection"),
    "Hélicoptères": ("Mobilité", "hélicoptère voilure tournante", "helicopters"),
    "Véhicules blindés": ("Mobilité", "véhicule blindage mobilité", "armoured vehicles"),
    "Systèmes de mission": (CYBER, "mission commandement logiciel", "mission systems"),
    "Capteurs acoustiques": ("Capteurs et optronique", "acoustique sonar capteur", "acoustics"),
    "Lasers de puissance": ("Armement", "laser puissance faisceau", "high-power lasers"),
    "Réalité augmentée": ("Soutien et santé", "réalité augmentée casque", "augmented reality"),
    "Propulsion": ("Mobilité", "moteur propulsion hybride", "propulsion"),
    "Camouflage et furtivité": ("Protection", "camouflage signature furtivité", "stealth"),
    "Transmissions tactiques": (CYBER, "radio transmission réseau", "tactical radio"),
    "Cybersécurité des véhicules": (CYBER, "cybersécurité véhicule", "vehicle cyber"),
}
THEMES = sorted({theme for theme, _words, _english in SUBJECTS.values()})
ENGLISH_CONTEXT = {
    "gendarmerie mobile": "mobile gendarmerie",
    "milieu naval": "naval forces",
    "haute mer": "high seas",
}


def programme_of(organisation: str) -> tuple[str, str]:
    """(subject, context) of a director's 'Organisation · Subject context'."""
    programme = organisation.rpartition(" · ")[2]
    subject = max((s for s in PROGRAMME_SUBJECTS if programme.startswith(s)), key=len)
    context = programme[len(subject) :].strip()
    assert context in PROGRAMME_CONTEXTS, programme
    return subject, context


def context_phrase(context: str) -> str:
    """'pour la gendarmerie mobile' -> 'gendarmerie mobile'."""
    words = context.split()
    while words and words[0] in ("pour", "la", "le", "les", "l'", "en", "des", "du", "de"):
        words = words[1:]
    phrase = " ".join(words)
    return phrase.removeprefix("l'")


def inflected(rng: random.Random, words: str) -> str:
    """The words with singulars and plurals swapped here and there (as people write)."""
    out = []
    for word in words.split():
        if len(word) > 4 and rng.random() < 0.4:
            word = word[:-1] if word.endswith("s") else word + "s"
        out.append(word)
    return " ".join(out)


def director_profile(rng: random.Random, person: dict[str, Any]) -> dict[str, Any]:
    subject, context = programme_of(person["organisation"])
    theme, related, _english = SUBJECTS[subject]
    phrase = context_phrase(context)
    return {
        "participant": person["id"],
        "description": (
            f"## {subject} {context}\n\nLe programme prépare les capacités de demain en "
            f"**{subject.lower()}** {context}. Nous rencontrons les entreprises capables "
            f"d'expérimenter rapidement."
        ),
        "offers": "Financement d'expérimentations, accès aux terrains d'essai et aux utilisateurs.",
        "needs": f"Solutions innovantes : {related}, adaptées à {phrase}.",
        "keywords": [subject.lower(), phrase, *rng.sample(related.split(), 2)],
        "themes": [theme],
    }


def industrial_profile(
    rng: random.Random, person: dict[str, Any], interests: list[tuple[str, str]]
) -> dict[str, Any]:
    english = rng.random() < SHARE_ENGLISH
    subjects = list(dict.fromkeys(s for s, _c in interests))
    contexts = list(dict.fromkeys(context_phrase(c) for _s, c in interests))
    themes = sorted({SUBJECTS[s][0] for s in subjects})
    if english:
        topics = ", ".join(SUBJECTS[s][2] for s in subjects)
        places = ", ".join(ENGLISH_CONTEXT.get(c, c) for c in contexts[:3])
        description = f"{person['organisation']} designs {topics} for {places}."
        offers = f"We offer {topics}, tested with end users."
        needs = "Trials with the armed forces and the gendarmerie."
        keywords = [SUBJECTS[s][2] for s in subjects[:4]]
    else:
        topics = ", ".join(inflected(rng, s.lower()) for s in subjects)
        related = " ".join(inflected(rng, SUBJECTS[s][1]) for s in subjects[:3])
        description = (
            f"{person['organisation']} conçoit des solutions de {topics}. Nos équipes "
            f"travaillent sur {related}."
        )
        offers = f"Produits et prototypes : {topics}."
        needs = f"Expérimentations {', '.join(contexts[:3])}."
        keywords = [inflected(rng, s.lower()) for s in subjects[:3]] + contexts[:2]
    return {
        "participant": person["id"],
        "description": description,
        "offers": offers,
        "needs": needs,
        "keywords": keywords[:8],
        "themes": themes,
    }


def agir_profiles(salon: dict[str, Any], seed: int = SEED) -> dict[str, Any]:
    """The profiles/v1 document of an AGIR-style salon/v1 document."""
    rng = random.Random(seed)
    people = salon["participants"]
    directors = {p["id"]: p for p in people if p.get("table")}
    programmes = {code: programme_of(p["organisation"]) for code, p in directors.items()}
    asked: dict[str, list[str]] = {}
    for wish in salon["wishes"]:
        if wish["to"] in directors:
            asked.setdefault(wish["from"], []).append(wish["to"])
    profiles = [director_profile(rng, p) for p in people if p["id"] in directors]
    for person in people:
        if person["id"] in directors:
            continue
        wished = asked.get(person["id"], [])
        written = [code for code in wished if rng.random() < SHARE_WISHES_WRITTEN] or wished[:1]
        interests = [programmes[code] for code in written]
        interests.append((rng.choice(PROGRAMME_SUBJECTS), rng.choice(PROGRAMME_CONTEXTS)))
        profiles.append(industrial_profile(rng, person, interests))
    return {"format": "profiles/v1", "salon": salon["name"], "themes": THEMES, "profiles": profiles}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    salon = json.loads(AGIR.read_text(encoding="utf-8"))
    document = agir_profiles(salon)
    args.output.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{args.output}: {len(document['profiles'])} profiles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
