"""The rules of the solution catalogue. Nothing here commits: the caller's unit of work does."""

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import publiccode, records, repository
from services.knowledge.index import SearchReadModel
from services.knowledge.models import Solution
from services.knowledge.publiccode import Issue
from services.knowledge.schemas import (
    REQUIRED_ON_UPDATE,
    SolutionCreate,
    SolutionFields,
    SolutionUpdate,
)
from shared.contracts.knowledge import (
    SolutionPublished,
    SolutionRetired,
    SolutionSnapshot,
    SolutionUpdated,
)
from shared.kit.auth import Principal
from shared.kit.db import stored
from shared.kit.http import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    check_if_match,
    check_optional_if_match,
)
from shared.kit.outbox import add_event
from shared.kit.sqltypes import utcnow

# Where a field of the API lives in a publiccode.yml: an import's findings name the key.
PUBLICCODE_KEYS = {
    "name": "name",
    "short_description": "description.{lang}.shortDescription",
    "long_description": "description.{lang}.longDescription",
    "description_en": "description.en",
    "topics": "DE.themen",
    "leika_refs": "DE.leika",
    "license": "legal.license",
    "maturity": "developmentStatus",
    "software_type": "softwareType",
    "maintenance_type": "maintenance.type",
    "maintainer": "maintenance.contractors",
    "contacts": "maintenance.contacts",
    "repository_url": "url",
    "landing_url": "landingURL",
    "cost_notes": "DE.kosten",
    "requirements": "dependsOn",
}
# Without these the record is useless; any other field that does not fit is dropped.
_ESSENTIAL = frozenset({"name", "short_description", "long_description", "license"})


class SolutionRetiredAlready(Conflict):
    slug, title = "solution-retired", "This solution is retired"


class ImportRefused(InvalidInput):
    slug, title = "publiccode-invalid", "The publiccode.yml cannot be imported"


def snapshot(solution: Solution) -> SolutionSnapshot:
    """The public state of a solution, as API and events show it."""
    return SolutionSnapshot.model_validate(solution, from_attributes=True)


def _owner(principal: Principal, provider: str | None) -> tuple[str | None, str | None]:
    """(owner, provider) of a new entry: a municipality publishes as itself."""
    if principal.region_wide:
        return None, provider
    if principal.ags is None:
        raise Forbidden("This identity belongs to no municipality; ask a coordinator.")
    if provider is not None and provider != principal.ags:
        raise Forbidden(
            "A municipality key can name only its own municipality as provider.",
            errors=[{"field": "provider_ags", "message": f"not your AGS {principal.ags}"}],
        )
    return principal.ags, provider or principal.ags


def _checked_license(expression: str, field: str = "license") -> str:
    normalised, problem = publiccode.check_license(expression)
    if problem or normalised is None:
        raise InvalidInput(
            "The license is not an SPDX expression.",
            errors=[{"field": field, "message": problem or "not an SPDX expression"}],
        )
    return normalised


async def create_solution(
    session: AsyncSession,
    *,
    principal: Principal,
    data: SolutionFields,
    source: str,
    search: SearchReadModel,
    publiccode_record: dict[str, Any] | None = None,
) -> SolutionSnapshot:
    """Add a solution to the catalogue and write its `published` event."""
    owner, provider = _owner(principal, data.provider_ags)
    values = {k: stored(v) for k, v in data.model_dump().items()}
    now = utcnow()
    solution = Solution(
        **values
        | {
            "id": str(uuid.uuid4()),
            "license": _checked_license(data.license),
            "provider_ags": provider,
            "owner_ags": owner,
            "topic_keys": _topic_keys(values["topics"]),
            "publiccode": publiccode_record or {},
            "status": "active",
            "version": 1,
            "created_by": principal.subject,
            "created_at": now,
            "updated_at": now,
        }
    )
    session.add(solution)
    state = snapshot(solution)
    await add_event(session, SolutionPublished(solution=state), source=source, subject=solution.id)
    search.stage_solution(session, solution)
    return state


def _topic_keys(topics: list[str]) -> str:
    return "|" + "|".join(topics) + "|"


async def editable_solution(
    session: AsyncSession, principal: Principal, solution_id: str
) -> Solution:
    """The solution `principal` may change, locked until the commit: its publisher or a
    coordinator."""
    solution = await repository.get_solution(session, solution_id, for_update=True)
    if solution is None:
        raise NotFound(f"There is no solution {solution_id}.")
    if not principal.region_wide and (
        solution.owner_ags is None or solution.owner_ags != principal.ags
    ):
        raise Forbidden("Only the publishing municipality or a coordinator can change it.")
    return solution


async def update_solution(
    session: AsyncSession,
    *,
    principal: Principal,
    solution_id: str,
    changes: SolutionUpdate,
    if_match: str | None,
    source: str,
    search: SearchReadModel,
) -> Solution:
    """Apply a partial update to the version `if_match` names."""
    solution = await editable_solution(session, principal, solution_id)
    check_if_match(if_match, solution.version)
    if solution.status == "retired":
        raise SolutionRetiredAlready("A retired solution is kept as it was; publish a new one.")
    requested = changes.model_dump(exclude_unset=True)
    cleared = sorted(k for k, v in requested.items() if v is None and k in REQUIRED_ON_UPDATE)
    if cleared:
        raise InvalidInput(
            "These fields cannot be cleared.",
            errors=[{"field": k, "message": "may not be null"} for k in cleared],
        )
    new_values = {k: stored(getattr(changes, k)) for k in requested}
    if "license" in new_values:
        new_values["license"] = _checked_license(new_values["license"])
    if "provider_ags" in new_values and not principal.region_wide:
        _owner(principal, new_values["provider_ags"])
    changed = sorted(k for k, v in new_values.items() if getattr(solution, k) != v)
    if not changed:
        return solution
    for key in changed:
        setattr(solution, key, new_values[key])
    solution.topic_keys = _topic_keys(solution.topics)
    solution.version += 1
    solution.updated_at = utcnow()
    payload = SolutionUpdated(solution=snapshot(solution), changed=changed)
    await add_event(session, payload, source=source, subject=solution.id)
    search.stage_solution(session, solution)
    return solution


async def retire_solution(
    session: AsyncSession,
    *,
    principal: Principal,
    solution_id: str,
    if_match: str | None,
    source: str,
    search: SearchReadModel,
) -> Solution:
    """Mark a solution retired: it stays readable (adoptions point to it), lists skip it."""
    solution = await editable_solution(session, principal, solution_id)
    check_optional_if_match(if_match, solution.version)
    if solution.status == "retired":
        return solution
    solution.status = "retired"
    solution.version += 1
    solution.updated_at = utcnow()
    await add_event(
        session, SolutionRetired(solution=snapshot(solution)), source=source, subject=solution.id
    )
    search.stage_solution(session, solution)
    return solution


def read_publiccode(body: bytes) -> tuple[SolutionCreate, dict[str, Any], list[Issue]]:
    """A publiccode.yml as a new solution's fields, its full record and the warnings.

    Refused (422, each error with key and line) only when the file is not a usable record.
    """
    result = publiccode.import_publiccode(body)
    if result.solution is None:
        raise ImportRefused(
            f"{len(result.errors)} problem(s) in the file.",
            errors=[_problem(issue) for issue in result.errors],
        )
    columns = records.columns_of(result.solution)
    record = columns.pop("publiccode")
    lang = record[records.MAIN_LANGUAGE]
    warnings = list(result.warnings)
    fields, refused = _admit(columns, _Keys(lang, result.locate, result.origins), warnings)
    if fields is None:
        raise ImportRefused(
            f"{len(refused)} problem(s) in the file.", errors=[_problem(i) for i in refused]
        )
    return fields, record, warnings


class _Keys:
    """Names a validation error's location by the key path and line of the file."""

    # Columns whose entries came from a list of the file, by the record's name of it.
    LISTS = {"contacts": "contacts", "requirements": "requirements", "leika_refs": "leika"}
    FIELDS = {"version_min": "versionMin", "version_max": "versionMax"}

    def __init__(self, lang: str, locate: Any, origins: dict[str, list[str]]) -> None:
        self.lang, self.locate, self.origins = lang, locate, origins

    def issue(self, loc: tuple[Any, ...], message: str) -> Issue:
        if not loc:  # a rule of the whole record
            return Issue("(root)", message, None)
        column = str(loc[0])
        key = PUBLICCODE_KEYS.get(column, column).format(lang=self.lang)
        rest = list(loc[1:])
        origins = self.origins.get(self.LISTS.get(column, ""), [])
        if rest and isinstance(rest[0], int) and rest[0] < len(origins):
            key = origins[rest.pop(0)]
        for part in rest:
            key += f"[{part}]" if isinstance(part, int) else "." + self.FIELDS.get(part, part)
        return Issue(key, message, self.locate(key))


def _admit(
    columns: dict[str, Any],
    keys: _Keys,
    warnings: list[Issue],
) -> tuple[SolutionCreate | None, list[Issue]]:
    """Validate the columns as the API would; what does not fit and is not essential is
    dropped with a warning that names its key, the rest is refused."""
    for _ in range(len(columns) + 1):
        try:
            return SolutionCreate.model_validate(columns), []
        except ValidationError as exc:
            refused: list[Issue] = []
            drops: list[tuple[Any, ...]] = []
            for error in exc.errors():
                loc = tuple(error["loc"])
                if not loc or loc[0] in _ESSENTIAL:
                    refused.append(keys.issue(loc, error["msg"]))
                else:
                    warnings.append(keys.issue(loc, f"{error['msg']}; left out"))
                    drops.append(loc[:2])
            if refused:
                return None, refused
            _drop(columns, drops)
    raise AssertionError("every round drops at least one value")


def _drop(columns: dict[str, Any], locations: list[tuple[Any, ...]]) -> None:
    """Leave out the items (or whole fields) validation found wrong, last index first."""
    for loc in sorted(set(locations), key=lambda loc: (str(loc[0]), -_index(loc))):
        if len(loc) == 2 and isinstance(loc[1], int) and isinstance(columns.get(loc[0]), list):
            del columns[loc[0]][loc[1]]
        else:
            columns[loc[0]] = [] if isinstance(columns.get(loc[0]), list) else None


def _index(loc: tuple[Any, ...]) -> int:
    return loc[1] if len(loc) == 2 and isinstance(loc[1], int) else -1


def _problem(issue: Issue) -> dict[str, Any]:
    found: dict[str, Any] = {"field": issue.path, "message": issue.message}
    if issue.line is not None:
        found["line"] = issue.line
    return found


MAX_WARNINGS = 100


def warnings_of(issues: list[Issue]) -> list[dict[str, Any]]:
    """The warnings of an import as the API shows them: at most MAX_WARNINGS and a last
    one that counts the rest (a file of 10,000 bad categories is not 10,000 warnings)."""
    shown = [
        {"field": issue.path, "line": issue.line, "message": issue.message}
        for issue in issues[:MAX_WARNINGS]
    ]
    if len(issues) > MAX_WARNINGS:
        more = len(issues) - MAX_WARNINGS
        shown.append({"field": "(root)", "line": None, "message": f"and {more} more warnings"})
    return shown


def export_publiccode(solution: Solution) -> str:
    """The solution as a publiccode.yml (version "0"), the API's edits over the import."""
    return publiccode.export_publiccode(records.record_of(solution))
