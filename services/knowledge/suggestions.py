"""The Kooperationsradar in the service: a project's suggestions for whoever asks, and a
`match.found` event for every pair it finds the first time. Nothing here commits.

The radar looks with the eyes of the project's municipality, so another municipality's
private project is never a match; what is shown is then narrowed to what the caller may
see, and an event carries the narrower visibility of its two ends.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import repository
from services.knowledge.index import SearchReadModel, project_item
from services.knowledge.models import KnownProject, RadarMatch
from services.knowledge.radar import RadarItem, RadarResult, Suggestion
from shared.contracts.knowledge import MatchEnd, MatchFound
from shared.kit.auth import Principal
from shared.kit.http import NotFound
from shared.kit.outbox import add_event
from shared.kit.sqltypes import utcnow
from shared.region.visibility import may_see, narrower


async def suggestions_for(
    session: AsyncSession,
    principal: Principal,
    project_id: str,
    search: SearchReadModel,
    limit: int,
) -> RadarResult:
    """What the radar suggests for a project the caller may see, as far as it may see."""
    project = await repository.get_readable_project(session, principal, project_id)
    if project is None:
        raise NotFound(f"There is no project {project_id} you may see.")
    found = search.radar.suggest(project_item(project), limit)

    def shown(suggestion: Suggestion) -> bool:
        item = search.radar.item(suggestion.id)
        return item is not None and may_see(
            principal, visibility=item.visibility, owner_ags=item.owner_ags
        )

    return RadarResult(
        projects=[s for s in found.projects if shown(s)],
        solutions=[s for s in found.solutions if shown(s)],
    )


def match_id(a: str, b: str) -> str:
    """The id of a pair, the same either way round: a match is an aggregate of its own, so
    its events never take the visibility of one end's later changes."""
    first, second = sorted((a, b))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:lotse:match:{first}:{second}"))


def _end(item: RadarItem) -> MatchEnd:
    return MatchEnd(
        id=item.id, kind=item.kind, title=item.title, municipality_ags=item.owner_ags or None
    )


async def announce_matches(
    session: AsyncSession, project: KnownProject, search: SearchReadModel, source: str
) -> int:
    """Publish `match.found` for each pair of this project the radar finds first; return
    how many. A pair announced before (either way round) is not announced again.

    Events arrive in no fixed order across partitions, so a private project of another
    municipality may have come first, when this one was not there to be found: its
    owner's radar is asked again now, from that project's side. Projects of the same
    batch are not in the radar yet; each pair of them is scored on its own.
    """
    item = project_item(project)
    found = search.radar.suggest(item)
    pairs: list[tuple[RadarItem, RadarItem | None, Suggestion]] = [
        (item, search.radar.item(s.id), s) for s in [*found.projects, *found.solutions]
    ]
    # This project is not in the radar until its change commits, so it is given as is;
    # neither are the projects changed before it in the same unit (one batch of events).
    pairs += [(hidden, item, s) for hidden, s in search.radar.reverse_matches(item)]
    for staged in search.staged_items(session):
        for first, second in ((item, staged), (staged, item)):
            found_pair = search.radar.pair(first, second) if first.kind == "project" else None
            if found_pair is not None:
                pairs.append((first, second, found_pair))
    announced = 0
    for own, other, suggestion in pairs:
        if other is None or await repository.radar_match_known(session, own.id, other.id):
            continue
        session.add(
            RadarMatch(
                project_id=own.id, match_id=other.id, score=suggestion.score, found_at=utcnow()
            )
        )
        payload = MatchFound(
            project=_end(own),
            match=_end(other),
            score=min(1.0, suggestion.score),
            reason=suggestion.reason,
            shared_terms=list(suggestion.shared_terms),
            shared_topics=list(suggestion.shared_topics),
            visibility=narrower(own.visibility, other.visibility),
        )
        await add_event(session, payload, source=source, subject=match_id(own.id, other.id))
        announced += 1
    return announced
