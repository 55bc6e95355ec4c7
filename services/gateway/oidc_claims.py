"""From a verified token's claims to a Lotse Principal: role and AGS as the operator maps them.

The role claim (a string or a list, e.g. groups) is looked up in the role map; a user
whose values map to several roles gets the one that may do most (admin, coordinator,
municipality, reader). A municipality user needs a valid AGS in the AGS claim. A token
whose claims give no role, or a municipality without AGS, is refused with 403: the
token is good, the user is not one Lotse knows what to do with.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from shared.kit.auth import Principal, Role
from shared.kit.http import Forbidden, Unauthorized
from shared.region.ags import AGS

log = logging.getLogger("lotse.gateway.oidc")

PRECEDENCE = (Role.ADMIN, Role.COORDINATOR, Role.MUNICIPALITY, Role.READER)
_PLAIN_SUBJECT = re.compile(r"[\x21-\x7e]{1,160}")
_AGS = TypeAdapter(AGS)


class NoLotseRole(Forbidden):
    slug, title = "no-role", "Signed in, but without a role in Lotse"


@dataclass(frozen=True)
class ClaimMapping:
    """How the operator's issuer says who someone is in Lotse."""

    role_claim: str
    ags_claim: str
    role_map: dict[str, Role] = field(default_factory=dict)
    default_role: Role | None = None

    def principal(self, claims: dict[str, Any]) -> Principal:
        """The Principal of verified `claims`; NoLotseRole (403) if they map to none."""
        subject = oidc_subject(claims["iss"], claims.get("sub"))
        values = _values(_claim(claims, self.role_claim))
        roles = {self.role_map[v] for v in values if v in self.role_map}
        if not roles and self.default_role is not None:
            roles = {self.default_role}
        if not roles:
            log.info("OIDC user %s refused: no role mapped from %s", subject, self.role_claim)
            raise NoLotseRole(
                f"Your sign-on gives no Lotse role: none of the values of the "
                f"{self.role_claim} claim is mapped to one. Ask your administrator."
            )
        role = next(r for r in PRECEDENCE if r in roles)
        if role is not Role.MUNICIPALITY:
            return Principal(role=role, subject=subject)
        ags = _ags(_claim(claims, self.ags_claim))
        if ags is None:
            log.info("OIDC user %s refused: municipality without a valid AGS", subject)
            raise NoLotseRole(
                f"Your sign-on makes you a municipality user, but its {self.ags_claim} claim "
                "holds no valid AGS (8 digits). Ask your administrator."
            )
        return Principal(role=role, subject=subject, ags=ags)


def oidc_subject(issuer: str, sub: object) -> str:
    """A stable subject of at most 200 characters for an issuer's user: `oidc:<issuer
    hash>:<sub>`, the sub hashed where it is long or not printable ASCII."""
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise Unauthorized("The token's sub claim is not a valid subject.")
    origin = hashlib.sha256(issuer.encode()).hexdigest()[:12]
    if _PLAIN_SUBJECT.fullmatch(sub):
        return f"oidc:{origin}:{sub}"
    return f"oidc:{origin}:sha256-{hashlib.sha256(sub.encode()).hexdigest()[:40]}"


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by dotted path into nested objects (realm_access.roles)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _ags(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]  # multi-valued user attributes arrive as a list of one
    if not isinstance(value, str):
        return None
    try:
        return _AGS.validate_python(value)
    except ValidationError:
        return None
