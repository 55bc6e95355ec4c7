"""The topics (Gestaltungsfelder) of a Digitale Region, vocabulary v1.

The one place the vocabulary lives: services validate against it and the gateway
serves it at /api/v1/topics.
"""

from typing import Literal

VOCABULARY_VERSION = "v1"

TOPICS: dict[str, str] = {
    "administration": "Verwaltungsleistungen (OZG)",
    "citizen_services": "Bürgerservice",
    "broadband": "Breitband und Mobilfunk",
    "mobility": "Mobilität",
    "education": "Bildung und Schule",
    "health_care": "Gesundheit und Pflege",
    "energy": "Energie",
    "environment_climate": "Umwelt und Klima",
    "civil_protection": "Katastrophen- und Bevölkerungsschutz",
    "data_platforms": "Daten und Plattformen",
    "it_security": "IT-Sicherheit",
    "economy": "Wirtschaft und Arbeit",
    "participation": "Beteiligung und Ehrenamt",
    "culture_tourism": "Kultur und Tourismus",
    "internal_it": "Digitaler Arbeitsplatz und interne IT",
}

Topic = Literal[
    "administration",
    "citizen_services",
    "broadband",
    "mobility",
    "education",
    "health_care",
    "energy",
    "environment_climate",
    "civil_protection",
    "data_platforms",
    "it_security",
    "economy",
    "participation",
    "culture_tourism",
    "internal_it",
]
