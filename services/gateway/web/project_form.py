"""The project form: its fields as a person types them, turned into the API's body.

The page checks nothing the API checks: numbers, dates and lines go to the API as typed
(a German decimal comma aside), so a mistake comes back with the API's own text, and
`field_errors` puts each of them beside the form field it is about.
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from shared.kit.http import LotseError
from shared.region.topics import TOPICS

PART = "|"  # separates the parts of a line: "Name | Einheit | Ziel | Ist"
TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "status",
    "value_proposition",
    "budget_eur",
    "start_date",
    "end_date",
    "based_on_solution",
    "visibility",
    "municipality_ags",
    "target_groups",
    "indicators",
    "funding_sources",
    "partner_municipalities",
    "links",
    "tags",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
)
_GERMAN_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$|^-?\d+,\d+$")


@dataclass
class ProjectForm:
    """What the form holds: its text fields and the ticked topics."""

    values: dict[str, str] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)

    @classmethod
    def posted(cls, form: dict[str, str]) -> "ProjectForm":
        return cls(
            values={name: form.get(name, "") for name in TEXT_FIELDS},
            topics=[key for key in TOPICS if form.get(f"topic_{key}")],
        )

    @classmethod
    def of_project(cls, project: dict[str, Any]) -> "ProjectForm":
        """The form filled with a project as the API shows it."""
        contact = project.get("contact") or {}

        def joined(*parts: Any) -> str:
            return f" {PART} ".join("" if p is None else _plain(p) for p in parts).rstrip(" |")

        return cls(
            values={
                "title": project["title"],
                "summary": project["summary"],
                "description": project["description"],
                "status": project["status"],
                "value_proposition": project.get("value_proposition") or "",
                "budget_eur": _plain(project.get("budget_eur")),
                "start_date": project.get("start_date") or "",
                "end_date": project.get("end_date") or "",
                "based_on_solution": project.get("based_on_solution") or "",
                "visibility": project["visibility"],
                "municipality_ags": project["municipality_ags"],
                "target_groups": "\n".join(project["target_groups"]),
                "indicators": "\n".join(
                    joined(i["name"], i.get("unit"), i.get("target"), i.get("current"))
                    for i in project["indicators"]
                ),
                "funding_sources": "\n".join(
                    joined(s["name"], s.get("amount_eur")) for s in project["funding_sources"]
                ),
                "partner_municipalities": ", ".join(project["partner_municipalities"]),
                "links": "\n".join(joined(link["title"], link["url"]) for link in project["links"]),
                "tags": ", ".join(project["tags"]),
                "contact_name": contact.get("name") or "",
                "contact_role": contact.get("role") or "",
                "contact_email": contact.get("email") or "",
                "contact_phone": contact.get("phone") or "",
            },
            topics=list(project["topics"]),
        )

    def body(self, *, for_update: bool) -> dict[str, Any]:
        """The API's ProjectCreate (or, for an edit, a ProjectUpdate of every field)."""
        v = self.values
        contact_parts = [
            v.get(f"contact_{p}", "").strip() for p in ("name", "role", "email", "phone")
        ]
        body: dict[str, Any] = {
            "title": v.get("title", ""),
            "summary": v.get("summary", ""),
            "description": v.get("description", ""),
            "topics": self.topics,
            "status": v.get("status") or "idea",
            "target_groups": _lines(v.get("target_groups", "")),
            "value_proposition": v.get("value_proposition", "").strip() or None,
            "indicators": [
                _record(line, ("name", "unit", "target", "current"), numbers={"target", "current"})
                for line in _lines(v.get("indicators", ""))
            ],
            "budget_eur": _number(v.get("budget_eur", "")),
            "funding_sources": [
                _record(line, ("name", "amount_eur"), numbers={"amount_eur"})
                for line in _lines(v.get("funding_sources", ""))
            ],
            "start_date": v.get("start_date", "").strip() or None,
            "end_date": v.get("end_date", "").strip() or None,
            "partner_municipalities": _items(v.get("partner_municipalities", ""), r"[,;\s]+"),
            "contact": (
                {
                    "name": contact_parts[0],
                    "role": contact_parts[1] or None,
                    "email": contact_parts[2] or None,
                    "phone": contact_parts[3] or None,
                }
                if any(contact_parts)
                else None
            ),
            "links": [_record(line, ("title", "url")) for line in _lines(v.get("links", ""))],
            "based_on_solution": v.get("based_on_solution", "").strip() or None,
            "visibility": v.get("visibility") or "region",
            "tags": _items(v.get("tags", ""), r"\s*,\s*"),
        }
        if not for_update and v.get("municipality_ags"):
            body["municipality_ags"] = v["municipality_ags"].strip()
        return body


def field_errors(error: LotseError) -> dict[str, list[str]]:
    """The API's field errors by form field: `indicators.1.target` goes to the indicators
    box as "line 2 (target): ...", `contact.email` to the contact's e-mail field."""
    found: dict[str, list[str]] = {}
    for item in error.errors or []:
        if not isinstance(item, dict) or not item.get("field") or not item.get("message"):
            continue
        path = str(item["field"]).split(".")
        message = str(item["message"])
        if path[0] == "contact" and len(path) > 1:
            name = f"contact_{path[1]}"
        elif path[0] == "contact":
            name = "contact_name"
        else:
            name = path[0]
        if len(path) > 1 and path[1].isdigit() and name != "topics":
            where = f"{int(path[1]) + 1}" + (f" ({'.'.join(path[2:])})" if path[2:] else "")
            message = f"{where}: {message}"
        found.setdefault(name if name in TEXT_FIELDS or name == "topics" else "", []).append(
            message
        )
    return found


def idempotency_key(value: str) -> str:
    """The key the form was rendered with, so a second click is the same publication."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return str(uuid.uuid4())


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _items(text: str, separator: str) -> list[str]:
    return [item for item in re.split(separator, text.strip()) if item]


def _number(text: str) -> str | None:
    """A figure as typed, a German "1.500,50" as 1500.50; the API judges the rest."""
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if _GERMAN_DECIMAL.match(text) and "," in text:
        return text.replace(".", "").replace(",", ".")
    if _GERMAN_DECIMAL.match(text) and text.count(".") and len(text.rsplit(".", 1)[1]) == 3:
        return text.replace(".", "")  # 1.500 is fifteen hundred here
    return text


def _record(
    line: str, names: tuple[str, ...], numbers: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    """One line "a | b | c" as {names[0]: a, ...}; surplus parts stay in the last one."""
    parts = [part.strip() for part in line.split(PART, len(names) - 1)]
    record: dict[str, Any] = {}
    for name, part in zip(names, parts, strict=False):
        record[name] = (_number(part) if name in numbers else part) or None
    record[names[0]] = record.get(names[0]) or ""
    return record
