"""The region's activity as an Atom feed, for intranet pages and feed readers.

A pure function of the entries it is given: the same entries give the same bytes, so
a reader polling with If-None-Match transfers nothing until something happens.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from services.gateway.models import FeedEntry

ATOM = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
QUIET_SINCE = datetime(2026, 1, 1, tzinfo=UTC)
"""`updated` of a feed without entries: fixed, so its bytes stay the same."""

HEADLINES = {
    "de.lotse.project.created.v1": "Neues Projekt",
    "de.lotse.project.updated.v1": "Projekt geändert",
    "de.lotse.project.status_changed.v1": "Neuer Stand",
    "de.lotse.project.deleted.v1": "Projekt entfernt",
}
STATUS_LABELS = {
    "idea": "Idee",
    "planned": "geplant",
    "in_progress": "in Umsetzung",
    "completed": "abgeschlossen",
    "paused": "pausiert",
    "cancelled": "abgebrochen",
}

ET.register_namespace("", ATOM)


def activity_feed(
    entries: Sequence[FeedEntry], *, base_url: str, names: Mapping[str, str]
) -> bytes:
    """Atom of `entries` (newest first); `names` are municipality names by AGS."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"urn:lotse:activity:{base_url}")
    _text(feed, "title", "Lotse: Was in der Region geschah")
    newest = max((e.occurred_at for e in entries), default=QUIET_SINCE)
    _text(feed, "updated", _rfc3339(newest))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base_url}/api/v1/feed.atom")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "Lotse")
    for entry in entries:
        feed.append(_entry(entry, base_url, names))
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _entry(entry: FeedEntry, base_url: str, names: Mapping[str, str]) -> ET.Element:
    element = ET.Element(f"{{{ATOM}}}entry")
    _text(element, "id", f"urn:lotse:feed-entry:{entry.seq}")
    headline = HEADLINES.get(entry.type, entry.type)
    _text(element, "title", f"{headline}: {entry.title}")
    _text(element, "updated", _rfc3339(entry.occurred_at))
    if entry.type != "de.lotse.project.deleted.v1":
        href = f"{base_url}/api/v1/projects/{entry.subject}"
        ET.SubElement(element, f"{{{ATOM}}}link", rel="alternate", href=href)
    author = ET.SubElement(element, f"{{{ATOM}}}author")
    _text(author, "name", names.get(entry.municipality_ags, entry.municipality_ags))
    _text(element, "summary", _summary(entry))
    return element


def _summary(entry: FeedEntry) -> str:
    project = entry.data.get("project")
    if not isinstance(project, dict):
        return entry.title
    parts = [str(project.get("summary") or "").strip()]
    status = STATUS_LABELS.get(str(project.get("status")))
    if status:
        parts.append(f"Stand: {status}")
    return " · ".join(p for p in parts if p) or entry.title


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
