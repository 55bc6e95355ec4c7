"""The solution catalogue's record: what the region knows of one piece of software.

It holds everything publiccode.yml describes that a municipality needs to decide on
reuse, plus what the standard has no key for (topics of the region, cost notes), which
the export carries in the German country section. Plain dataclasses: the service maps
them to its tables and API shapes.
"""

from dataclasses import dataclass, field
from typing import Literal, get_args

from shared.contracts.knowledge import MaintenanceType, Maturity, SoftwareType

DependencyKind = Literal["open", "proprietary", "hardware"]

# The words of the standard, as the published language (the events) has them.
MATURITIES: tuple[Maturity, ...] = get_args(Maturity)
MAINTENANCE_TYPES: tuple[MaintenanceType, ...] = get_args(MaintenanceType)
SOFTWARE_TYPES: tuple[SoftwareType, ...] = get_args(SoftwareType)
SHORT_DESCRIPTION_MAX = 150
LONG_DESCRIPTION_MIN = 150


@dataclass
class Description:
    """The description in one language (BCP 47 tag as key in `Solution.descriptions`)."""

    short_description: str
    long_description: str = ""
    localised_name: str | None = None
    generic_name: str | None = None
    features: list[str] = field(default_factory=list)
    documentation: str | None = None
    api_documentation: str | None = None
    screenshots: list[str] = field(default_factory=list)
    videos: list[str] = field(default_factory=list)
    awards: list[str] = field(default_factory=list)


@dataclass
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None
    affiliation: str | None = None


@dataclass
class Contractor:
    """Who maintains the software under contract, and until when (ISO date)."""

    name: str
    until: str | None = None
    email: str | None = None
    website: str | None = None


@dataclass
class Requirement:
    """Something the software needs to run (publiccode `dependsOn`)."""

    name: str
    kind: DependencyKind = "open"
    version: str | None = None
    version_min: str | None = None
    version_max: str | None = None
    optional: bool = False


@dataclass
class LeikaRef:
    """A service of the German administration: LeiKa key and/or OZG service id."""

    leika_id: str | None = None
    ozg_id: str | None = None
    themenfeld: str | None = None
    lebenslage: str | None = None


@dataclass
class Solution:
    name: str
    descriptions: dict[str, Description]
    license: str
    url: str | None = None
    landing_url: str | None = None
    maturity: Maturity | None = None
    software_type: str | None = None
    software_version: str | None = None
    release_date: str | None = None
    platforms: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    leika: list[LeikaRef] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)
    maintenance_type: MaintenanceType | None = None
    contractors: list[Contractor] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    main_copyright_owner: str | None = None
    requirements: list[Requirement] = field(default_factory=list)
    cost_notes: str | None = None
    localisation_ready: bool | None = None
    available_languages: list[str] = field(default_factory=list)
    application_suite: str | None = None
    is_based_on: list[str] = field(default_factory=list)
    logo: str | None = None
    roadmap: str | None = None
    audience_scope: list[str] = field(default_factory=list)
    audience_countries: list[str] = field(default_factory=list)
    audience_unsupported_countries: list[str] = field(default_factory=list)
    # Country sections (IT, DE, ...) as published, minus what the fields above hold.
    country_sections: dict[str, dict[str, object]] = field(default_factory=dict)

    def description(self, *prefer: str) -> Description | None:
        """The description in the first language found: German first, then English."""
        order = (*prefer, "de", "de-DE", "en", "en-GB", "en-US")
        for lang in order:
            if lang in self.descriptions:
                return self.descriptions[lang]
        return next(iter(self.descriptions.values()), None)

    @property
    def short_description(self) -> str:
        found = self.description()
        return found.short_description if found else ""

    @property
    def long_description(self) -> str:
        found = self.description()
        return found.long_description if found else ""

    @property
    def ozg_refs(self) -> list[str]:
        return [ref.ozg_id for ref in self.leika if ref.ozg_id]

    @property
    def maintainers(self) -> list[str]:
        """Who keeps it alive: contractors under contract, else the named contacts."""
        if self.maintenance_type == "contract" and self.contractors:
            return [c.name for c in self.contractors]
        return [c.name for c in self.contacts]
