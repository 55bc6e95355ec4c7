"""The published language of Lotse: event payloads per bounded context.

REGISTRY lists every event type by hand, so a consumer process knows exactly what a
publisher can send; tests/shared/test_contracts.py fails when a payload model of any
module here is missing from it.
"""

from shared.contracts import funding, gateway, knowledge, projects
from shared.kit.events import EventRegistry

REGISTRY = EventRegistry(
    gateway.MunicipalityCreated,
    gateway.MunicipalityUpdated,
    projects.ProjectCreated,
    projects.ProjectUpdated,
    projects.ProjectStatusChanged,
    projects.ProjectDeleted,
    knowledge.SolutionPublished,
    knowledge.SolutionUpdated,
    knowledge.SolutionRetired,
    knowledge.AdoptionRecorded,
    knowledge.AdoptionChanged,
    knowledge.MatchFound,
    knowledge.ArticlePublished,
    knowledge.ArticleUpdated,
    knowledge.ArticleDeleted,
    knowledge.ArticleRequested,
    funding.FundingCallPublished,
    funding.FundingCallUpdated,
    funding.FundingCallStatusChanged,
    funding.FundingMatchFound,
)

__all__ = ["REGISTRY"]
