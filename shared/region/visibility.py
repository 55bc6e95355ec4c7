"""The one rule of who sees what, for every table that holds a visibility and an owner.

`public`: everyone; `region`: every signed-in member; `private`: the owning
municipality and coordinators. Repositories build their base query from this, so
lists, reads, feeds and exports cannot drift apart.
"""

from typing import TypeVar

from sqlalchemy import ColumnElement, or_, true
from sqlalchemy.orm import Mapped

from shared.kit.auth import Principal

SHARED_WITH_MEMBERS = ("public", "region")
_NARROWNESS = {"private": 0, "region": 1, "public": 2}
V = TypeVar("V", bound=str)


def narrower(a: V, b: V) -> V:
    """The narrower of two visibilities."""
    return min(a, b, key=_NARROWNESS.__getitem__)


def visible_to(
    principal: Principal, *, visibility: Mapped[str], owner_ags: Mapped[str] | Mapped[str | None]
) -> ColumnElement[bool]:
    """A WHERE clause: the rows of a table `principal` may see (columns via sqlmodel.col)."""
    if principal.region_wide:
        return true()
    if not principal.signed_in:
        return visibility == "public"
    if principal.ags:
        return or_(visibility.in_(SHARED_WITH_MEMBERS), owner_ags == principal.ags)
    return visibility.in_(SHARED_WITH_MEMBERS)


def may_see(principal: Principal, *, visibility: str, owner_ags: str | None) -> bool:
    """The same rule as `visible_to`, for one item already in memory (read models)."""
    if principal.region_wide or visibility == "public":
        return True
    if not principal.signed_in:
        return False
    return visibility in SHARED_WITH_MEMBERS or (
        principal.ags is not None and owner_ags == principal.ags
    )
