"""Fixed word lists for synthetic names: people, companies, programmes, organisations.

Every name built from them is synthetic: no list entry names a real person or programme.
"""

from __future__ import annotations

FIRST_NAMES = [
    "Camille", "Claire", "Julien", "Nicolas", "Sophie", "Thomas", "Isabelle", "Laurent",
    "Nathalie", "Philippe", "Céline", "Stéphane", "Aurélie", "Mathieu", "Émilie", "Sébastien",
    "Caroline", "Olivier", "Hélène", "Vincent", "Sandrine", "Guillaume", "Marion", "Antoine",
    "Julie", "Christophe", "Anne", "Frédéric", "Élodie", "Pierre", "Valérie", "François",
    "Audrey", "Benoît", "Delphine", "Jérôme", "Laure", "Romain", "Agnès", "Cédric", "Marie",
    "David", "Pauline", "Xavier", "Charlotte", "Yann", "Léa", "Arnaud", "Manon", "Grégoire",
    "Inès", "Hugo", "Chloé", "Louis", "Lucie", "Maxime", "Sarah", "Bruno", "Emma", "Thierry",
]

LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
    "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand",
    "Dufour", "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux",
    "Colin",
]

COMPANY_PREFIXES = [
    "Aéro", "Opti", "Cyber", "Naval", "Terra", "Nano", "Robo", "Hydro", "Thermo", "Électro",
    "Astro", "Géo", "Micro", "Radio", "Photo", "Quanti", "Techno", "Bio", "Méca", "Data",
    "Ciel", "Mari", "Alpi", "Armor", "Volta", "Strato", "Inno", "Sigma", "Delta", "Oméga",
    "Vecto", "Lumi", "Sono", "Krypto", "Helio", "Cristal", "Granit", "Azur", "Boréa", "Orion",
]

COMPANY_CORES = [
    "tech", "sys", "nov", "log", "dyn", "tronic", "com", "lab", "net", "vision", "sense",
    "mat", "drone", "wave", "link", "soft", "motion", "cell", "flux", "guard",
]

COMPANY_TRADES = [
    "Systèmes", "Industries", "Technologies", "Ingénierie", "Solutions", "Défense",
    "Innovation", "Électronique", "Composites", "Robotique", "Optronique", "Conseil",
    "Aérospatiale", "Énergie", "Sécurité", "Simulation", "Logiciels", "Instruments",
    "Mécanique", "Photonique",
]

LEGAL_FORMS = ["SAS", "SAS", "SAS", "SA", "SARL", "SASU"]

PROGRAMME_SUBJECTS = [
    "Drones tactiques", "Robotique terrestre", "Optronique", "Radars", "Guerre électronique",
    "Cyberdéfense", "Communications sécurisées", "Stockage d'énergie", "Santé du combattant",
    "Munitions intelligentes", "Simulation et entraînement", "Intelligence artificielle",
    "Surveillance spatiale", "Maintien en condition opérationnelle", "Logistique prédictive",
    "Protection NRBC", "Lutte anti-drones", "Navigation résiliente", "Technologies quantiques",
    "Matériaux avancés", "Fabrication additive", "Géolocalisation", "Imagerie satellitaire",
    "Hydrographie", "Surveillance maritime", "Équipements du combattant",
    "Police technique et scientifique", "Traitement massif de données", "Cloud de défense",
    "Détection d'explosifs", "Hélicoptères", "Véhicules blindés", "Systèmes de mission",
    "Capteurs acoustiques", "Lasers de puissance", "Réalité augmentée", "Propulsion",
    "Camouflage et furtivité", "Transmissions tactiques", "Cybersécurité des véhicules",
]

PROGRAMME_CONTEXTS = [
    "pour le combat terrestre", "en milieu naval", "pour l'aviation de combat",
    "des forces spéciales", "pour la gendarmerie mobile", "en opérations extérieures",
    "de nouvelle génération", "pour la sécurité intérieure", "en zone urbaine",
    "pour le soutien santé", "des bases aériennes", "pour la protection du territoire",
    "en haute mer", "pour la surveillance des frontières", "du combattant débarqué",
    "pour l'outre-mer", "en montagne", "pour la protection des sites sensibles",
    "en environnement contesté", "pour la maintenance prédictive", "pour l'espace",
    "des sous-marins", "pour l'entraînement", "pour la police judiciaire",
    "en milieu souterrain",
]

# (organisation, relative frequency among programme directors)
DIRECTOR_ORGANISATIONS = [
    ("DGA", 30),
    ("AID", 15),
    ("Gendarmerie nationale – PJGN", 5),
    ("Gendarmerie nationale – ST(SI)²", 5),
    ("Gendarmerie nationale – COMCyberMI", 3),
    ("Armée de Terre – STAT", 8),
    ("Marine nationale", 8),
    ("Armée de l'Air et de l'Espace", 8),
    ("Service de santé des armées", 5),
    ("SIMMT", 4),
    ("DIRISI", 4),
    ("Commandement de l'espace", 3),
    ("SIAé", 2),
]

RESEARCH_PREFIXES = ["Institut", "Laboratoire", "Centre de recherche", "Plateforme"]
RESEARCH_SUBJECTS = [
    "des matériaux", "de photonique", "de robotique", "du numérique", "des énergies",
    "de biotechnologie", "de mécanique", "des systèmes embarqués", "d'agronomie", "de l'eau",
]
RESEARCH_PLACES = [
    "de Bretagne", "d'Occitanie", "de Lorraine", "d'Auvergne", "de Normandie",
    "de Provence", "d'Alsace", "des Hauts-de-France", "de Nouvelle-Aquitaine", "du Centre",
]
INVESTORS = [
    "Capital", "Ventures", "Partenaires", "Invest", "Croissance", "Amorçage",
]
SUPPORT_BODIES = [
    "CCI", "Agence régionale de l'innovation", "Pôle de compétitivité", "Technopole",
    "Réseau Entreprise Europe", "Cluster",
]
