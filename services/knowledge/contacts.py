"""The rules of the contact directory: Digitallotsen and CDOs. Nothing here commits.

Personal data, kept small: members only, no events (nothing on the broker to forget),
an export of all that is held (GDPR Art. 15) and a deletion that leaves no copy in the
search index nor in the answers kept for retried requests (Art. 17).
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import repository
from services.knowledge.index import SearchReadModel
from services.knowledge.models import Contact
from services.knowledge.schemas import ContactCreate, ContactExport, ContactPublic, ContactUpdate
from shared.kit.auth import Principal
from shared.kit.http import (
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    check_if_match,
    check_optional_if_match,
)
from shared.kit.sqltypes import utcnow
from shared.region.ags import UnknownMunicipality

PURPOSE = (
    "Verzeichnis der Ansprechpersonen der Digitalen Region, damit Kommunen einander "
    "für gemeinsame Vorhaben finden."
)
RECIPIENTS = "angemeldete Mitglieder der Region (Kommunen, Koordinierungsstelle)"
DELETION = (
    "auf Verlangen sofort (DELETE /api/v1/contacts/{id}); dabei werden auch der Suchindex "
    "und gespeicherte Antworten auf Wiederholungsanfragen bereinigt"
)


def public(contact: Contact) -> ContactPublic:
    return ContactPublic.model_validate(contact, from_attributes=True)


def _members_only(principal: Principal) -> None:
    if not principal.signed_in:
        raise Unauthorized("The contact directory is for signed-in members.")


async def add_contact(
    session: AsyncSession,
    *,
    principal: Principal,
    data: ContactCreate,
    search: SearchReadModel,
) -> Contact:
    ags = _municipality_of(principal, data.municipality_ags)
    if await repository.get_known_municipality(session, ags) is None:
        raise UnknownMunicipality(
            f"No municipality with AGS {ags} belongs to this region.",
            errors=[{"field": "municipality_ags", "message": f"unknown AGS {ags}"}],
        )
    now = utcnow()
    contact = Contact(
        **data.model_dump(exclude={"municipality_ags"})
        | {
            "id": str(uuid.uuid4()),
            "municipality_ags": ags,
            "version": 1,
            "created_by": principal.subject,
            "created_at": now,
            "updated_at": now,
        }
    )
    session.add(contact)
    search.stage_contact(session, contact)
    return contact


def _municipality_of(principal: Principal, requested: str | None) -> str:
    if principal.region_wide:
        if requested is None:
            raise InvalidInput(
                "Name the municipality as municipality_ags.",
                errors=[{"field": "municipality_ags", "message": "required for coordinators"}],
            )
        return requested
    if principal.ags is None or (requested is not None and requested != principal.ags):
        raise Forbidden(
            "A municipality keeps its own people in the directory.",
            errors=[{"field": "municipality_ags", "message": "not your municipality"}],
        )
    return principal.ags


async def readable_contact(session: AsyncSession, principal: Principal, contact_id: str) -> Contact:
    _members_only(principal)
    contact = await repository.get_contact(session, contact_id)
    if contact is None:
        raise NotFound(f"There is no contact {contact_id}.")
    return contact


async def _editable(session: AsyncSession, principal: Principal, contact_id: str) -> Contact:
    contact = await readable_contact(session, principal, contact_id)
    if not principal.region_wide and contact.municipality_ags != principal.ags:
        raise Forbidden("Only the contact's municipality or a coordinator changes the entry.")
    return contact


async def update_contact(
    session: AsyncSession,
    *,
    principal: Principal,
    contact_id: str,
    changes: ContactUpdate,
    if_match: str | None,
    search: SearchReadModel,
) -> Contact:
    contact = await _editable(session, principal, contact_id)
    check_if_match(if_match, contact.version)
    requested = changes.model_dump(exclude_unset=True)
    cleared = sorted(k for k in ("name", "topics") if k in requested and requested[k] is None)
    if cleared:
        raise InvalidInput(
            "These fields cannot be cleared.",
            errors=[{"field": k, "message": "may not be null"} for k in cleared],
        )
    changed = [k for k, v in requested.items() if getattr(contact, k) != v]
    if changed:
        for key in changed:
            setattr(contact, key, requested[key])
        contact.version += 1
        contact.updated_at = utcnow()
        search.stage_contact(session, contact)
    return contact


async def export_contact(
    session: AsyncSession, principal: Principal, contact_id: str
) -> ContactExport:
    """Everything the directory holds about the person (GDPR Art. 15)."""
    contact = await _editable(session, principal, contact_id)
    return ContactExport(
        contact=public(contact),
        recorded_by=contact.created_by,
        purpose=PURPOSE,
        recipients=RECIPIENTS,
        deletion=DELETION,
    )


async def erase_contact(
    session: AsyncSession,
    *,
    principal: Principal,
    contact_id: str,
    search: SearchReadModel,
    if_match: str | None = None,
) -> None:
    """Delete the person's entry and every copy the service keeps (GDPR Art. 17)."""
    contact = await _editable(session, principal, contact_id)
    check_optional_if_match(if_match, contact.version)
    await session.delete(contact)
    await repository.forget_answers_naming(session, contact.id)
    search.stage_removal(session, contact.id)
