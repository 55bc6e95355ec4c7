"""The Amtlicher Gemeindeschlüssel (AGS): how Lotse names a municipality.

Eight digits: Land (2), Regierungsbezirk (1), Kreis (2), Gemeinde (3).
"""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from shared.kit.http import InvalidInput

LAENDER: dict[str, str] = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}


def land_of(ags: str) -> str:
    """Return the Land a valid AGS belongs to."""
    return LAENDER[ags[:2]]


def _known_land(ags: str) -> str:
    if ags[:2] not in LAENDER:
        raise ValueError(f"AGS {ags} names no Land: the first two digits must be 01 to 16")
    return ags


# Eight digits whose first two name a Land (01 to 16): what _known_land enforces.
AGS_PATTERN = r"^(0[1-9]|1[0-6])[0-9]{6}$"

AGS = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{8}$"),
    AfterValidator(_known_land),
    # The document states the whole rule; validation keeps its clearer message.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": AGS_PATTERN,
            "description": "Amtlicher Gemeindeschlüssel: 8 digits, the first two a Land (01-16)",
            "examples": ["06534014"],
        }
    ),
]
"""An AGS as API and contracts accept it: 8 digits starting with a real Land."""


class UnknownMunicipality(InvalidInput):
    """An AGS that is well-formed but names no municipality registered in this region."""

    slug, title = "unknown-municipality", "Municipality not known in this region"


LandCode = Annotated[
    str,
    StringConstraints(pattern=r"^(0[1-9]|1[0-6])$"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(0[1-9]|1[0-6])$",
            "description": "a Land by the first two digits of its AGS (06 Hessen)",
            "examples": ["06"],
        }
    ),
]
"""A Land as the first two digits of its AGS, 01 to 16."""
