"""The one rule of who sees what, for every table that holds a visibility and an owner.

`public`: everyone; `region`: every signed-in member; `private`: the owning
municipality and coordinators. Repositories build their base query from this, so
lists, reads, feeds and exports cannot drift apart.
"""

from typing import Any

from sqlalchemy import ColumnElement, or_, true

from shared.kit.auth import Principal

SHARED_WITH_MEMBERS = ("public", "region")


def visible_to(principal: Principal, *, visibility: Any, owner_ags: Any) -> ColumnElement[bool]:
    """A WHERE clause: the rows of a table `principal` may see."""
    if principal.region_wide:
        return true()
    if not principal.signed_in:
        return visibility == "public"  # type: ignore[no-any-return]
    if principal.ags:
        return or_(visibility.in_(SHARED_WITH_MEMBERS), owner_ags == principal.ags)
    return visibility.in_(SHARED_WITH_MEMBERS)  # type: ignore[no-any-return]
