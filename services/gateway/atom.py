"""The region's activity as an Atom feed, for intranet pages and feed readers.

A pure function of the entries it is given: the same entries give the same bytes, so
a reader polling with If-None-Match transfers nothing until something happens.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from services.gateway.models import FeedEntry
from shared.contracts.knowledge import ArticleRequested, MatchFound
from shared.contracts.projects import ProjectDeleted

ATOM = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
QUIET_SINCE = datetime(2026, 1, 1, tzinfo=UTC)
"""`updated` of a feed without entries: fixed, so its bytes stay the same."""

HEADLINES = {
    "de.lotse.project.created.v1": "Neues Projekt",
    "de.lotse.project.updated.v1": "Projekt geändert",
    "de.lotse.project.status_changed.v1": "Neuer Stand",
    "de.lotse.project.deleted.v1": "Projekt entfernt",
    "de.lotse.solution.published.v1": "Neue Lösung",
    "de.lotse.solution.updated.v1": "Lösung geändert",
    "de.lotse.solution.retired.v1": "Lösung zurückgezogen",
    "de.lotse.adoption.recorded.v1": "Im Einsatz",
    "de.lotse.adoption.changed.v1": "Einsatz geändert",
    "de.lotse.article.published.v1": "Neuer Artikel",
    "de.lotse.article.updated.v1": "Artikel geändert",
    "de.lotse.article.requested.v1": "",  # its title says it: "Erfahrungsbericht erbeten: …"
    "de.lotse.match.found.v1": "Kooperationsradar",
    "de.lotse.funding_call.published.v1": "Neuer Förderaufruf",
    "de.lotse.funding_call.updated.v1": "Förderaufruf geändert",
    "de.lotse.funding_call.status_changed.v1": "Förderaufruf",
}
COLLECTIONS = {
    "project": "projects",
    "solution": "solutions",
    "adoption": "adoptions",
    "article": "articles",
    "funding_call": "funding-calls",
}
"""Where the API serves each aggregate, by the `<aggregate>` of `de.lotse.<aggregate>.…`."""
SUMMARIES = {"solution": "short_description", "article": "summary", "call": "summary"}
"""The field of a payload's snapshot that sums it up, by the snapshot's name."""
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
    _text(element, "title", f"{headline}: {entry.title}" if headline else entry.title)
    _text(element, "updated", _rfc3339(entry.occurred_at))
    path = _path(entry)
    if path is not None:
        ET.SubElement(element, f"{{{ATOM}}}link", rel="alternate", href=f"{base_url}{path}")
    author = ET.SubElement(element, f"{{{ATOM}}}author")
    _text(author, "name", _author(entry, names))
    _text(element, "summary", _summary(entry))
    return element


def _path(entry: FeedEntry) -> str | None:
    """The resource the entry is about; none for a deleted project."""
    if entry.type == ProjectDeleted.event_type:
        return None
    if entry.type == MatchFound.event_type:
        return f"/api/v1/projects/{entry.project_end}"
    if entry.type == ArticleRequested.event_type:  # keyed by the completed project
        return f"/api/v1/projects/{entry.subject}"
    collection = COLLECTIONS.get(entry.type.split(".")[2])
    return None if collection is None else f"/api/v1/{collection}/{entry.subject}"


def _author(entry: FeedEntry, names: Mapping[str, str]) -> str:
    """The municipality concerned; a funding call's funder; else the platform itself."""
    if entry.municipality_ags:
        return names.get(entry.municipality_ags, entry.municipality_ags)
    call = entry.data.get("call")
    return str(call.get("funder") or "Lotse") if isinstance(call, dict) else "Lotse"


def _summary(entry: FeedEntry) -> str:
    if entry.type == MatchFound.event_type:
        return str(entry.data.get("reason") or entry.title)
    for name, field in SUMMARIES.items():
        snapshot = entry.data.get(name)
        if isinstance(snapshot, dict):
            return str(snapshot.get(field) or "").strip() or entry.title
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
