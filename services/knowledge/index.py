"""The service's search read model: the tantivy index and the Kooperationsradar's profiles,
fed from the service's own rows.

A change is staged on the unit of work that makes it and reaches the index only once
that unit commits, so the index never shows what the database rolled back. At start,
before requests and consumers, the model is rebuilt from the database. Each replica
holds its own (docs/PERFORMANCE.md).
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.knowledge import repository
from services.knowledge.models import Article, Contact, KnownProject, Solution
from services.knowledge.radar import Kooperationsradar, RadarItem
from services.knowledge.search import SearchDocument, SearchIndex
from shared.kit.db import Database
from shared.region.topics import TOPICS

# A staged change: a document (with the radar's item, if the radar knows its kind) to add
# or replace, or the id of one to remove.
Change = tuple[SearchDocument, RadarItem | None] | str
_STAGED = "knowledge_search_changes"


def _staged(session: AsyncSession, model: "SearchReadModel") -> list[Change]:
    models: dict[int, tuple[SearchReadModel, list[Change]]] = session.info.setdefault(_STAGED, {})
    return models.setdefault(id(model), (model, []))[1]


def solution_document(solution: Solution) -> SearchDocument:
    english = solution.description_en or {}
    return SearchDocument(
        id=solution.id,
        kind="solution",
        title=solution.name,
        # The catalogue is public: what the region uses is no secret.
        visibility="public",
        owner_ags=solution.provider_ags or "",
        summary=solution.short_description,
        body="\n".join(
            t for t in (solution.long_description, english.get("long_description")) if t
        ),
        topics=tuple(solution.topics),
        maturity=solution.maturity,
        license=solution.license,
    )


def solution_item(solution: Solution) -> RadarItem:
    return RadarItem(
        id=solution.id,
        kind="solution",
        title=solution.name,
        owner_ags=solution.provider_ags or "",
        visibility="public",
        summary=solution.short_description,
        description=solution.long_description,
        topics=tuple(solution.topics),
        ozg_refs=tuple(r["ozg_id"] for r in solution.leika_refs if r.get("ozg_id")),
    )


def project_document(project: KnownProject) -> SearchDocument:
    return SearchDocument(
        id=project.id,
        kind="project",
        title=project.title,
        visibility=_visibility(project.visibility),
        owner_ags=project.municipality_ags,
        summary=project.summary,
        body=project.description,
        topics=tuple(project.topics),
        status=project.status,
    )


def project_item(project: KnownProject) -> RadarItem:
    return RadarItem(
        id=project.id,
        kind="project",
        title=project.title,
        owner_ags=project.municipality_ags,
        visibility=_visibility(project.visibility),
        summary=project.summary,
        description=project.description,
        topics=tuple(project.topics),
        target_groups=tuple(project.target_groups),
    )


def article_document(article: Article) -> SearchDocument:
    return SearchDocument(
        id=article.id,
        kind="article",
        title=article.title,
        visibility=_visibility(article.visibility),
        owner_ags=article.municipality_ags or "",
        summary=article.summary,
        body=article.body,
        topics=tuple(article.topics),
    )


def contact_document(contact: Contact) -> SearchDocument:
    """A person is found by name, role, department and topics; never by e-mail or phone."""
    return SearchDocument(
        id=contact.id,
        kind="contact",
        title=contact.name,
        # The directory is for members, as its API.
        visibility="region",
        owner_ags=contact.municipality_ags,
        summary=" ".join(t for t in (contact.role, contact.department) if t),
        body=" ".join(TOPICS.get(t, t) for t in contact.topics),
        topics=tuple(contact.topics),
    )


def _visibility(value: str) -> Any:
    # An unknown word would be a bug upstream; the strictest reading is the safe one.
    return value if value in ("public", "region", "private") else "private"


class SearchReadModel:
    """The index and the radar over it, kept in step with the service's commits."""

    def __init__(self, index: SearchIndex | None = None) -> None:
        self.index = index if index is not None else SearchIndex()
        self.radar = Kooperationsradar(self.index)

    # -- staging on a unit of work -----------------------------------------------------

    def stage_solution(self, session: AsyncSession, solution: Solution) -> None:
        if solution.status == "retired":
            self.stage_removal(session, solution.id)
        else:
            self._stage(session, solution_document(solution), solution_item(solution))

    def stage_project(self, session: AsyncSession, project: KnownProject) -> None:
        self._stage(session, project_document(project), project_item(project))

    def stage_article(self, session: AsyncSession, article: Article) -> None:
        self._stage(session, article_document(article), None)

    def stage_contact(self, session: AsyncSession, contact: Contact) -> None:
        self._stage(session, contact_document(contact), None)

    def stage_removal(self, session: AsyncSession, doc_id: str) -> None:
        _staged(session, self).append(doc_id)

    def _stage(self, session: AsyncSession, doc: SearchDocument, item: RadarItem | None) -> None:
        _staged(session, self).append((doc, item))

    def staged_items(self, session: AsyncSession) -> list[RadarItem]:
        """The radar's items this unit of work changed and has not committed yet."""
        latest: dict[str, RadarItem | None] = {}
        for change in _staged(session, self):
            if isinstance(change, str):
                latest[change] = None
            else:
                latest[change[0].id] = change[1]
        return [item for item in latest.values() if item is not None]

    def apply(self, changes: list[Change]) -> None:
        """What one unit of work committed, in order, as one write of the index."""
        latest: dict[str, Change] = {}
        for change in changes:  # a later change of the same document wins
            latest[change if isinstance(change, str) else change[0].id] = change
        upserts = [c for c in latest.values() if not isinstance(c, str)]
        deletes = [c for c in latest.values() if isinstance(c, str)]
        self.index.write((doc for doc, _ in upserts), deletes)
        for doc_id in deletes:
            self.radar.remove(doc_id, index=False)
        for _, item in upserts:
            if item is not None:
                self.radar.upsert(item, index=False)

    # -- rebuilding from the database --------------------------------------------------

    async def rebuild(self, db: Database) -> int:
        """Replace index and radar with what the database holds; return the documents.

        Call it before the service takes requests or events (app.py's on_start).
        """
        async with db.session() as session:
            solutions = await repository.active_solutions(session)
            projects = await repository.all_known_projects(session)
            articles = await repository.all_articles(session)
            contacts = await repository.all_contacts(session)
        docs = [
            *map(solution_document, solutions),
            *map(project_document, projects),
            *map(article_document, articles),
            *map(contact_document, contacts),
        ]
        items = [*map(solution_item, solutions), *map(project_item, projects)]
        count = self.index.rebuild(docs)
        self.radar.rebuild(items, index=False)
        return count

    def close(self) -> None:
        self.index.close()


@event.listens_for(Session, "after_commit")
def _apply_after_commit(session: Session) -> None:
    for model, changes in session.info.pop(_STAGED, {}).values():
        model.apply(changes)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_STAGED, None)
