"""How a catalogue record (services.knowledge.catalogue, what publiccode.yml holds) and a
solution's row meet.

The row's columns are what the API edits; its `publiccode` column keeps the whole record
as last imported, so the fields the API has no column for (platforms, categories,
usedBy, features, country sections, ...) survive an import and the export after it. On
export the columns are laid over that record: the API's edits win.
"""

from dataclasses import asdict, fields
from typing import Any

from services.knowledge.catalogue import (
    Contact,
    Contractor,
    Description,
    LeikaRef,
    Requirement,
)
from services.knowledge.catalogue import (
    Solution as Record,
)
from shared.region.topics import TOPICS

MAIN_LANGUAGE = "main_language"
"""Key of `publiccode` naming the language the German columns were read from."""


def record_to_json(record: Record) -> dict[str, Any]:
    return asdict(record)


def record_from_json(data: dict[str, Any]) -> Record:
    values = {f.name: data[f.name] for f in fields(Record) if f.name in data}
    values["descriptions"] = {
        lang: Description(**d) for lang, d in values.get("descriptions", {}).items()
    }
    values["leika"] = [LeikaRef(**r) for r in values.get("leika", [])]
    values["contractors"] = [Contractor(**c) for c in values.get("contractors", [])]
    values["contacts"] = [Contact(**c) for c in values.get("contacts", [])]
    values["requirements"] = [Requirement(**r) for r in values.get("requirements", [])]
    return Record(**values)


def _main_language(record: Record) -> str:
    """The language the German columns hold: German if the file has it, else its first."""
    langs = list(record.descriptions)
    german = [lang for lang in langs if lang.lower().split("-")[0] == "de"]
    return german[0] if german else (langs[0] if langs else "de")


def _english(record: Record, main: str) -> str | None:
    return next(
        (
            lang
            for lang in record.descriptions
            if lang != main and lang.lower().split("-")[0] == "en"
        ),
        None,
    )


def columns_of(record: Record) -> dict[str, Any]:
    """The row values (API fields) an imported record gives; `publiccode` keeps the rest."""
    main = _main_language(record)
    english = _english(record, main)
    described = record.descriptions.get(main) or Description(short_description="")
    maintainer = None
    if record.maintenance_type == "contract" and record.contractors:
        maintainer = record.contractors[0].name
    return {
        "name": record.name,
        "short_description": described.short_description,
        "long_description": described.long_description,
        "description_en": (
            {
                "short_description": record.descriptions[english].short_description,
                "long_description": record.descriptions[english].long_description,
            }
            if english
            else None
        ),
        "topics": [t for t in record.topics if t in TOPICS],
        "leika_refs": [
            {"leika_id": r.leika_id, "ozg_id": r.ozg_id}
            for r in record.leika
            if r.leika_id or r.ozg_id
        ],
        "license": record.license,
        "maturity": record.maturity,
        "software_type": record.software_type,
        "maintenance_type": record.maintenance_type,
        "maintainer": maintainer,
        "contacts": [
            {"name": c.name, "email": c.email, "phone": c.phone, "affiliation": c.affiliation}
            for c in record.contacts
        ],
        "repository_url": record.url,
        "landing_url": record.landing_url,
        "cost_notes": record.cost_notes,
        "requirements": [asdict(r) for r in record.requirements],
        "publiccode": record_to_json(record) | {MAIN_LANGUAGE: main},
    }


def record_of(row: Any) -> Record:
    """The catalogue record of a solution's row: its stored record with the columns over it."""
    stored = dict(row.publiccode or {})
    main = stored.pop(MAIN_LANGUAGE, "de")
    record = record_from_json(stored) if stored else Record(name="", descriptions={}, license="")
    record.name = row.name
    record.license = row.license
    _lay_descriptions(record, row, main)
    record.url, record.landing_url = row.repository_url, row.landing_url
    record.maturity, record.software_type = row.maturity, row.software_type
    record.maintenance_type = row.maintenance_type
    # Themes the region's vocabulary does not know stay as the file had them.
    record.topics = [*row.topics, *(t for t in record.topics if t not in TOPICS)]
    record.leika = _lay_leika(record.leika, row.leika_refs)
    record.contacts = [Contact(**c) for c in row.contacts]
    record.requirements = [Requirement(**r) for r in row.requirements]
    record.cost_notes = row.cost_notes
    if row.maintenance_type == "contract" and row.maintainer:
        if not any(c.name == row.maintainer for c in record.contractors):
            record.contractors = [Contractor(name=row.maintainer), *record.contractors]
    elif row.maintenance_type != "contract":
        record.contractors = []
    return record


def _lay_descriptions(record: Record, row: Any, main: str) -> None:
    german = record.descriptions.get(main) or Description(short_description="")
    german.short_description, german.long_description = (
        row.short_description,
        row.long_description,
    )
    record.descriptions[main] = german
    english_lang = _english(record, main)
    if row.description_en is None:
        if english_lang is not None:
            del record.descriptions[english_lang]
        return
    english_lang = english_lang or "en"
    english = record.descriptions.get(english_lang) or Description(short_description="")
    english.short_description = row.description_en["short_description"]
    english.long_description = row.description_en.get("long_description", "")
    record.descriptions[english_lang] = english


def _lay_leika(stored: list[LeikaRef], refs: list[dict[str, Any]]) -> list[LeikaRef]:
    """The row's references, each with the Themenfeld and Lebenslage the file gave it."""
    out = []
    for ref in refs:
        known = next(
            (s for s in stored if (s.leika_id, s.ozg_id) == (ref["leika_id"], ref["ozg_id"])),
            None,
        )
        out.append(known or LeikaRef(leika_id=ref["leika_id"], ozg_id=ref["ozg_id"]))
    return out
