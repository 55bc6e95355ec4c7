"""publiccode.yml import and export for the solution catalogue.

Import is lenient where the world is sloppy and strict where a record would be
useless: files that bend the standard (an unknown category, a deprecated key, lowercase
country codes, a maintenance type of its own) import with warnings; a file that is not
YAML, not a mapping, too large, a YAML bomb, with a key twice or a control character in a
text, of an unknown standard version, without a name or any description, or with a
license that is not an SPDX expression is refused.
Every issue names its key path (`maintenance.type`, `categories[2]`) and its line.
Export writes `publiccodeYmlVersion: "0"` with everything the record holds.
"""

import codecs
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import yaml
from license_expression import ExpressionError, Licensing, get_spdx_licensing

from services.knowledge.catalogue import (
    LONG_DESCRIPTION_MIN,
    MAINTENANCE_TYPES,
    MATURITIES,
    SHORT_DESCRIPTION_MAX,
    SOFTWARE_TYPES,
    Contact,
    Contractor,
    Description,
    LeikaRef,
    Requirement,
    Solution,
)
from shared.kit.http import CONTROL_CHARACTER

Entry = TypeVar("Entry")

MAX_BYTES = 256 * 1024
# Nodes visited while reading, aliases counted each time they are followed: a real file
# has a few hundred; a billion-laughs file reaches the limit after a few kilobytes.
MAX_NODES = 20_000
MAX_DEPTH = 30
# Every released version of the standard, as parser-go accepts them; "0" is the current.
VERSIONS = frozenset(
    {
        "0",
        "0.1",
        "0.2",
        "0.2.0",
        "0.2.1",
        "0.2.2",
        "0.3",
        "0.3.0",
        "0.4",
        "0.4.0",
        "0.5",
        "0.5.0",
        "0.6",
        "0.6.0",
        "0.7",
        "0.7.0",
    }
)
EXPORT_VERSION = "0"

CATEGORIES = frozenset(
    """
    accounting agile-project-management applicant-tracking application-development
    appointment-scheduling backup billing-and-invoicing blog budgeting
    business-intelligence business-process-management cad call-center-management
    cloud-management collaboration communications compliance-management
    contact-management content-management crm customer-service-and-support
    data-analytics data-collection data-visualization design design-system
    digital-asset-management digital-citizenship document-management donor-management
    e-commerce e-signature educational-content email-management email-marketing
    employee-management enterprise-project-management enterprise-social-networking erp
    event-management facility-management feedback-and-reviews-management
    financial-reporting fleet-management fundraising gamification
    geographic-information-systems grant-management graphic-design help-desk hr ide
    identity-management instant-messaging integrated-library-system inventory-management
    it-asset-management it-development it-management it-security it-service-management
    knowledge-management learning-management-system marketing mind-mapping
    mobile-marketing mobile-payment network-management office online-booking
    online-community payment-gateway payroll predictive-analysis procurement
    productivity-suite project-collaboration project-management property-management
    real-estate-management regulations-and-directives remote-support resource-management
    sales-management seo service-desk social-media-management survey talent-management
    task-management taxes-management test-management time-management time-tracking
    translation video-conferencing video-editing visitor-management voip
    warehouse-management web-collaboration web-conferencing whistleblowing website-builder
    workflow-management
    """.split()  # noqa: SIM905
)
SCOPES = frozenset(
    """
    agriculture culture defence education emergency-services employment energy
    environment finance-and-economic-development foreign-affairs government healthcare
    infrastructures justice local-authorities manufacturing research
    science-and-technology security society sport tourism transportation welfare
    """.split()  # noqa: SIM905
)
TOP_LEVEL_KEYS = frozenset(
    """
    publiccodeYmlVersion name applicationSuite url landingURL isBasedOn softwareVersion
    releaseDate logo monochromeLogo inputTypes outputTypes platforms categories usedBy
    roadmap developmentStatus softwareType intendedAudience description legal
    maintenance localisation dependsOn organisation fundedBy
    """.split()  # noqa: SIM905
)
# Country sections of the standard; the German one carries LeiKa/OZG references.
COUNTRY_KEYS = ("IT", "DE")
# Keys of the DE section the record holds as fields (the rest is kept verbatim).
_DE_OWNED = ("countryExtensionVersion", "leika", "themen", "kosten")
_LANG = re.compile(r"^([a-zA-Z]{2})(-[a-zA-Z0-9]{2,8})*$")
# ISO 639-1: the primary subtag of a BCP 47 tag as publiccode.yml files use it.
LANGUAGES = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu
    """.split()  # noqa: SIM905
)


def is_language(tag: str) -> bool:
    """A BCP 47 tag whose language is an ISO 639-1 code (de, en-GB, de-CH-1996)."""
    match = _LANG.match(tag)
    return match is not None and match.group(1).lower() in LANGUAGES


_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding: the key path, its line (1-based; None when the file has no such key)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path}: {self.message}{where}"


@dataclass
class ImportResult:
    solution: Solution | None
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    locate: Callable[[str], int | None] = field(default=lambda _path: None)
    """The line of a key path in the file (for findings made after the import)."""
    origins: dict[str, list[str]] = field(default_factory=dict)
    """The key path each entry of a record list came from (`contacts`, `requirements`,
    `leika`): the file may have left entries out, so an index alone would misname it."""

    @property
    def ok(self) -> bool:
        return self.solution is not None


class Refused(Exception):
    """Raised inside the reader; becomes an error of the result."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(str(issue))
        self.issue = issue


# -- reading YAML with line numbers and a budget ------------------------------------------


class _Reader:
    """Turns composed YAML nodes into Python values and remembers each key path's line."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}
        # Where each value begins: a missing key is reported where its mapping's content is.
        self.starts: dict[str, int] = {}
        self.visited = 0

    def value(self, node: yaml.Node, path: str, depth: int = 0) -> Any:
        self.visited += 1
        line = node.start_mark.line + 1
        if self.visited > MAX_NODES or depth > MAX_DEPTH:
            raise Refused(_too_many(line))
        self.lines.setdefault(path, line)
        self.starts[path] = line
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.value(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node.value)
            ]
        value = _scalar(node)
        if isinstance(value, str):
            _check_text(value, path or "(root)", line)
        return value

    def mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        written: set[str] = set()  # keys of this mapping itself, not merged in
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                # `? [a, b]`: no key of the standard looks like that, and no path names it.
                raise Refused(Issue(path or "(root)", "a key must be a plain text", line))
            key = str(key_node.value)
            if key == "<<":  # merge keys: the alias budget applies all the same
                merged = self.value(value_node, path, depth + 1)
                if isinstance(merged, dict):
                    for k, v in merged.items():
                        out.setdefault(k, v)
                continue
            child = f"{path}.{key}" if path else key
            _check_text(key, child, line)
            if key in written:
                # YAML forbids it; reading on would silently keep one of the two values.
                raise Refused(Issue(child, f'duplicate key "{key}"', line))
            written.add(key)
            self.lines[child] = line
            out[key] = self.value(value_node, child, depth + 1)
        return out

    def line(self, path: str) -> int | None:
        if path in self.lines:
            return self.lines[path]
        while path:
            path = path.rsplit(".", 1)[0] if "." in path else ""
            if path in self.starts:
                return self.starts[path]
        return self.starts.get("", 1)


def _check_text(text: str, path: str, line: int) -> None:
    """YAML lets a double-quoted string spell control characters ("\\0", "\\a"): refused
    as the API refuses them (PostgreSQL cannot even store NUL)."""
    found = CONTROL_CHARACTER.search(text)
    if found:
        raise Refused(
            Issue(path, f"text may not contain control characters (U+{ord(found[0]):04X})", line)
        )


def _scalar(node: yaml.Node) -> Any:
    """Booleans, integers and nulls typed; everything else as the text written (0.5.0, dates)."""
    tag, text = node.tag, node.value
    if tag.endswith(":bool"):
        return text.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    if tag.endswith(":int"):
        try:
            return int(text)
        except ValueError:
            return text
    return text


class _BudgetLoader(yaml.SafeLoader):
    """A safe loader that counts nodes and aliases while composing: a bomb or a file of
    a hundred thousand list items stops at the limit, not after the whole file is built."""

    composed = 0
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.composed += 1
        if self.composed > MAX_NODES:
            raise Refused(_too_many(self.get_mark().line + 1))
        # The composer recurses per level: a deeply nested file would exhaust the stack.
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Refused(Issue("(root)", f"nested deeper than {MAX_DEPTH} levels; refused"))
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _too_many(line: int | None) -> Issue:
    return Issue("(root)", f"more than {MAX_NODES} nodes or aliases (a YAML bomb?); refused", line)


def _compose(text: str) -> yaml.Node | None:
    loader = _BudgetLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


# -- import ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _licensing() -> Licensing:
    return get_spdx_licensing()


# A license of one's own (SPDX annex D): `LicenseRef-` and letters, digits, '.' and '-'.
_LICENSE_REF = re.compile(r"licenseref-[a-z0-9.-]+", re.IGNORECASE)
_LICENSE_REF_PREFIX = re.compile(r"\blicenseref-", re.IGNORECASE)


def check_license(expression: str) -> tuple[str | None, str | None]:
    """(normalised SPDX expression, None) or (None, why it is not one).

    Known licenses are written as SPDX spells them; a valid `LicenseRef-...` is kept.
    """
    if not expression.strip():
        return None, "license is empty"
    licensing = _licensing()
    try:
        info = licensing.validate(expression, strict=False)
        parsed = licensing.parse(expression)
    except ExpressionError as exc:
        return None, f"not an SPDX license expression: {exc}"
    except (AttributeError, IndexError):
        # license-expression 30.x trips over some incomplete expressions ("MIT AND", "()")
        # instead of reporting them: they are not expressions either.
        return None, "not an SPDX license expression: incomplete (see https://spdx.org/licenses)"
    # The library reports every LicenseRef as unknown (and normalises nothing then).
    problems = [e for e in info.errors if not e.startswith("Unknown license key(s):")]
    unknown = [k for k in licensing.unknown_license_keys(parsed) if not _LICENSE_REF.fullmatch(k)]
    if unknown:
        problems.append(
            f"Unknown license key(s): {', '.join(unknown)} (one of your own is "
            "LicenseRef- and letters, digits, '.' or '-')"
        )
    if problems:
        return None, "; ".join(problems) + " (see https://spdx.org/licenses)"
    return _LICENSE_REF_PREFIX.sub("LicenseRef-", str(parsed)), None


def import_publiccode(source: str | bytes) -> ImportResult:
    """Read a publiccode.yml (text or bytes) into a catalogue `Solution`, or say why not."""
    size = len(source.encode() if isinstance(source, str) else source)
    if size > MAX_BYTES:
        return _refuse("(root)", f"file of {size} bytes is larger than {MAX_BYTES}")
    if isinstance(source, bytes):
        encoding = _encoding(source)
        try:
            source = source.decode(encoding)
        except UnicodeDecodeError as exc:
            return _refuse("(root)", f"Invalid {encoding.upper()} at byte {exc.start}")
    source = source.removeprefix("\ufeff")
    try:
        node = _compose(source)
    except Refused as exc:
        return ImportResult(None, errors=[exc.issue])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        return _refuse("(root)", f"not valid YAML: {problem}", line)
    if not isinstance(node, yaml.MappingNode):
        return _refuse("(root)", "a publiccode.yml must be a mapping of keys", 1)
    reader = _Reader()
    try:
        data = reader.value(node, "")
    except Refused as exc:
        return ImportResult(None, errors=[exc.issue])
    return _Importer(data, reader.line).run()


def _encoding(raw: bytes) -> str:
    """YAML's encodings: UTF-32 or UTF-16 as its byte order mark says, else UTF-8."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def _refuse(path: str, message: str, line: int | None = None) -> ImportResult:
    return ImportResult(None, errors=[Issue(path, message, line)])


class _Importer:
    def __init__(self, data: dict[str, Any], line: Callable[[str], int | None]) -> None:
        self.data = data
        self.line = line
        self.warnings: list[Issue] = []
        self.errors: list[Issue] = []
        self.origins: dict[str, list[str]] = {}

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Issue(path, message, self.line(path)))

    def error(self, path: str, message: str) -> None:
        self.errors.append(Issue(path, message, self.line(path)))

    # Typed access: a wrong type is a warning and the value is dropped.
    def text(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if _is_text(value):
            return str(value).strip() or None
        self.warn(path, f"{path.rsplit('.', 1)[-1]} must be a string")
        return None

    def required_text(self, value: Any, path: str) -> str | None:
        """A text the record cannot do without: missing, empty or of another type is an
        error that says which."""
        key = path.rsplit(".", 1)[-1]
        if value is None:
            self.error(path, f"{key} is a required field")
        elif not _is_text(value):
            self.error(path, f"{key} must be a string, not {_kind(value)}")
        elif not str(value).strip():
            self.error(path, f"{key} must not be empty")
        else:
            return str(value).strip()
        return None

    def texts(self, value: Any, path: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            self.warn(path, f"{path.rsplit('.', 1)[-1]} must be a list; read as one item")
            return [value]
        if not isinstance(value, list):
            self.warn(path, f"{path.rsplit('.', 1)[-1]} must be a list")
            return []
        out = []
        for i, item in enumerate(value):
            found = self.text(item, f"{path}[{i}]")
            if found:
                out.append(found)
        return out

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.warn(path, f"{path.rsplit('.', 1)[-1]} must be a mapping")
            return {}
        return value

    def named_entries(
        self,
        value: Any,
        path: str,
        build: Callable[[str, dict[str, Any], str], Entry],
    ) -> list[Entry]:
        """A list of mappings that each need a name (contractors, contacts); one without
        a name is left out with a warning that names it."""
        entries = []
        for i, item in enumerate(value or []):
            where = f"{path}[{i}]"
            fields = self.mapping(item, where)
            name = self.text(fields.get("name"), f"{where}.name")
            if not name:
                self.warn(f"{where}.name", "name is a required field")
                continue
            entries.append(build(name, fields, where))
            self.origins.setdefault(path, []).append(where)
        return entries

    def list_of(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn(path, f"{path.rsplit('.', 1)[-1]} must be a list; ignored")
            return []
        return value

    def leika(self, value: Any, path: str) -> LeikaRef | None:
        """A LeiKa/OZG reference; `leikaId`/`ozgId` are read as `leika-id`/`ozg-id`."""
        ref = self.mapping(value, path)
        if not ref:
            return None
        ids = {}
        for key, alias in (("leika-id", "leikaId"), ("ozg-id", "ozgId")):
            spelled = key if key in ref or alias not in ref else alias
            ids[key] = self.text(ref.get(spelled), f"{path}.{spelled}")
        for key in ref:
            if key not in ("leika-id", "leikaId", "ozg-id", "ozgId", "themenfeld", "lebenslage"):
                self.warn(f"{path}.{key}", f'unknown field "{key}"; ignored')
        if not (ids["leika-id"] or ids["ozg-id"]):
            self.warn(path, "a reference needs a leika-id or an ozg-id; left out")
            return None
        self.origins.setdefault("leika", []).append(path)
        return LeikaRef(
            leika_id=ids["leika-id"],
            ozg_id=ids["ozg-id"],
            themenfeld=self.text(ref.get("themenfeld"), f"{path}.themenfeld"),
            lebenslage=self.text(ref.get("lebenslage"), f"{path}.lebenslage"),
        )

    def run(self) -> ImportResult:
        d = self.data
        version = self.required_text(d.get("publiccodeYmlVersion"), "publiccodeYmlVersion")
        if version is None:
            pass
        elif version not in VERSIONS:
            self.error("publiccodeYmlVersion", f"unknown publiccodeYmlVersion {version!r}")
        elif version != EXPORT_VERSION:
            self.warn("publiccodeYmlVersion", f"{version} is not the latest version, use '0'")
        name = self.required_text(d.get("name"), "name")
        descriptions = self.descriptions()
        license_ = self.license()
        for key in d:
            if key not in TOP_LEVEL_KEYS and key.upper() not in COUNTRY_KEYS:
                self.warn(key, f'unknown field "{key}"; ignored')
        # Every finding is collected first, so a refused file names all that is wrong.
        solution = self.solution(name or "", descriptions, license_ or "")
        origins = {
            "contacts": self.origins.get("maintenance.contacts", []),
            "requirements": self.origins.get("requirements", []),
            "leika": self.origins.get("leika", []),
        }
        if self.errors or name is None or license_ is None:
            return ImportResult(None, self.warnings, self.errors, self.line, origins)
        return ImportResult(solution, self.warnings, self.errors, self.line, origins)

    def solution(self, name: str, descriptions: dict[str, Description], license_: str) -> Solution:
        """The record from every key beyond name, description and license (all checked)."""
        d = self.data
        url = self.text(d.get("url"), "url")
        if not url:
            self.warn("url", "url is a required field")
        platforms = self.texts(d.get("platforms"), "platforms")
        if not platforms:
            self.warn("platforms", "platforms must contain more than 0 items")
        kind, contractors, contacts = self.maintenance()
        languages, ready = self.localisation()
        audience = self.mapping(d.get("intendedAudience"), "intendedAudience")
        sections, leika, topics, costs = self.countries()
        return Solution(
            name=name,
            descriptions=descriptions,
            license=license_,
            url=url,
            landing_url=self.text(d.get("landingURL"), "landingURL"),
            maturity=self.maturity(),
            software_type=self.software_type(),
            software_version=self.text(d.get("softwareVersion"), "softwareVersion"),
            release_date=self.release_date(),
            platforms=platforms,
            categories=self.categories(),
            topics=topics,
            leika=leika,
            used_by=self.texts(d.get("usedBy"), "usedBy"),
            maintenance_type=kind,
            contractors=contractors,
            contacts=contacts,
            main_copyright_owner=self.legal_owner(),
            requirements=self.requirements(),
            cost_notes=costs,
            localisation_ready=ready,
            available_languages=languages,
            application_suite=self.text(d.get("applicationSuite"), "applicationSuite"),
            is_based_on=self.based_on(),
            logo=self.text(d.get("logo"), "logo"),
            roadmap=self.text(d.get("roadmap"), "roadmap"),
            audience_scope=self.scopes(audience),
            audience_countries=self.countries_list(audience, "countries"),
            audience_unsupported_countries=self.countries_list(audience, "unsupportedCountries"),
            country_sections=sections,
        )

    def localisation(self) -> tuple[list[str], bool | None]:
        localisation = self.mapping(self.data.get("localisation"), "localisation")
        languages = self.texts(
            localisation.get("availableLanguages"), "localisation.availableLanguages"
        )
        if not languages:
            self.warn("localisation.availableLanguages", "availableLanguages is a required field")
        for i, lang in enumerate(languages):
            if not is_language(lang):
                path = f"localisation.availableLanguages[{i}]"
                self.warn(path, f"{lang!r} is not a BCP 47 language tag")
        ready = localisation.get("localisationReady")
        if not isinstance(ready, bool):
            self.warn("localisation.localisationReady", "localisationReady must be true or false")
            return languages, None
        return languages, ready

    def based_on(self) -> list[str]:
        based_on = self.data.get("isBasedOn")
        if isinstance(based_on, list):
            return self.texts(based_on, "isBasedOn")
        return [t for t in [self.text(based_on, "isBasedOn")] if t]

    def descriptions(self) -> dict[str, Description]:
        raw = self.data.get("description")
        if raw is not None and not isinstance(raw, dict):
            self.error("description", f"description must be a mapping, not {_kind(raw)}")
            return {}
        if not raw:
            self.error("description", "description is a required field (no description at all)")
            return {}
        out: dict[str, Description] = {}
        for lang, body in raw.items():
            path = f"description.{lang}"
            if not is_language(str(lang)):
                self.warn("description", f"description must be a valid BCP 47 language: {lang!r}")
            body = self.mapping(body, path)
            short = self.text(body.get("shortDescription"), f"{path}.shortDescription") or ""
            long_ = self.text(body.get("longDescription"), f"{path}.longDescription") or ""
            if not short and not long_:
                for key in ("shortDescription", "longDescription", "features"):
                    if not body.get(key):
                        self.warn(f"{path}.{key}", f"{key} is a required field; language ignored")
                continue
            if not short:
                self.warn(f"{path}.shortDescription", "shortDescription is a required field")
                short = _shorten(long_)
            elif len(short) > SHORT_DESCRIPTION_MAX:
                self.warn(
                    f"{path}.shortDescription",
                    f"shortDescription must be at most {SHORT_DESCRIPTION_MAX} characters;"
                    " shortened",
                )
                short = _shorten(short)
            if len(long_) < LONG_DESCRIPTION_MIN:
                self.warn(
                    f"{path}.longDescription",
                    f"longDescription must be at least {LONG_DESCRIPTION_MIN} characters in length",
                )
            features = self.texts(body.get("features"), f"{path}.features")
            if not features:
                self.warn(f"{path}.features", "features must contain more than 0 items")
            out[str(lang)] = Description(
                short_description=short,
                long_description=long_,
                localised_name=self.text(body.get("localisedName"), f"{path}.localisedName"),
                generic_name=self.text(body.get("genericName"), f"{path}.genericName"),
                features=features,
                documentation=self.text(body.get("documentation"), f"{path}.documentation"),
                api_documentation=self.text(
                    body.get("apiDocumentation"), f"{path}.apiDocumentation"
                ),
                screenshots=self.texts(body.get("screenshots"), f"{path}.screenshots"),
                videos=self.texts(body.get("videos"), f"{path}.videos"),
                awards=self.texts(body.get("awards"), f"{path}.awards"),
            )
        if raw and not out:
            self.error("description", "no description has a shortDescription or longDescription")
        return out

    def license(self) -> str | None:
        raw = self.data.get("legal")
        if raw is not None and not isinstance(raw, dict):
            self.error("legal", f"legal must be a mapping (with a license), not {_kind(raw)}")
            return None
        legal = raw or {}
        if "repoOwner" in legal:
            self.warn("legal.repoOwner", "legal.repoOwner is deprecated; ignored")
        if "authorsFile" in legal:
            self.warn("legal.authorsFile", "legal.authorsFile is deprecated; ignored")
        expression = self.required_text(legal.get("license"), "legal.license")
        if expression is None:
            return None
        normalised, problem = check_license(expression)
        if problem:
            self.error("legal.license", f"license must be a valid license: {problem}")
            return None
        assert normalised is not None
        if normalised != expression:
            self.warn("legal.license", f"license {expression!r} read as {normalised!r}")
        return normalised

    def legal_owner(self) -> str | None:
        legal = self.data.get("legal")
        if not isinstance(legal, dict):  # license() has said so
            return None
        return self.text(legal.get("mainCopyrightOwner"), "legal.mainCopyrightOwner")

    def maturity(self) -> Any:
        status = self.text(self.data.get("developmentStatus"), "developmentStatus")
        if status is None:
            self.warn("developmentStatus", "developmentStatus is a required field")
            return None
        if status not in MATURITIES:
            self.warn(
                "developmentStatus",
                f"developmentStatus must be one of {', '.join(MATURITIES)}; {status!r} ignored",
            )
            return None
        return status

    def software_type(self) -> str | None:
        kind = self.text(self.data.get("softwareType"), "softwareType")
        if kind is None:
            self.warn("softwareType", "softwareType is a required field")
            return None
        if kind not in SOFTWARE_TYPES:
            self.warn("softwareType", f"softwareType {kind!r} is not one of the standard's")
            return "standalone/other" if kind.startswith("standalone") else None
        return kind

    def release_date(self) -> str | None:
        value = self.text(self.data.get("releaseDate"), "releaseDate")
        if value is None:
            return None
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            self.warn("releaseDate", "releaseDate must be a date with format 'YYYY-MM-DD'")
            return None
        return value

    def categories(self) -> list[str]:
        found = self.texts(self.data.get("categories"), "categories")
        for i, category in enumerate(found):
            if category not in CATEGORIES:
                self.warn(
                    f"categories[{i}]", f"categories[{i}] {category!r} is not a valid category"
                )
        return found

    def scopes(self, audience: dict[str, Any]) -> list[str]:
        found = self.texts(audience.get("scope"), "intendedAudience.scope")
        for i, scope in enumerate(found):
            if scope not in SCOPES:
                self.warn(f"intendedAudience.scope[{i}]", f"unknown scope {scope!r}")
        return found

    def countries_list(self, audience: dict[str, Any], key: str) -> list[str]:
        path = f"intendedAudience.{key}"
        out = []
        for i, code in enumerate(self.texts(audience.get(key), path)):
            if not _COUNTRY.match(code.upper()):
                self.warn(f"{path}[{i}]", f"{key}[{i}] must be an ISO 3166-1 alpha-2 country code")
                continue
            if code != code.upper():
                self.warn(f"{path}[{i}]", f"lowercase country code {code!r} is deprecated")
            out.append(code.upper())
        return out

    def maintenance(self) -> tuple[Any, list[Contractor], list[Contact]]:
        m = self.mapping(self.data.get("maintenance"), "maintenance")
        kind = self.text(m.get("type"), "maintenance.type")
        if kind is None:
            self.warn("maintenance.type", "type is a required field")
        elif kind not in MAINTENANCE_TYPES:
            # 'commercial' and the like: a company maintains it, which the standard calls contract.
            mapped = "contract" if kind.lower() in ("commercial", "vendor", "company") else None
            self.warn(
                "maintenance.type",
                f"type must be one of {', '.join(MAINTENANCE_TYPES)}; {kind!r} read as {mapped}",
            )
            kind = mapped
        contractors = self.named_entries(
            m.get("contractors"),
            "maintenance.contractors",
            lambda name, c, path: Contractor(
                name=name,
                until=self.text(c.get("until"), f"{path}.until"),
                email=self.text(c.get("email"), f"{path}.email"),
                website=self.text(c.get("website"), f"{path}.website"),
            ),
        )
        contacts = self.named_entries(
            m.get("contacts"),
            "maintenance.contacts",
            lambda name, c, path: Contact(
                name=name,
                email=self.text(c.get("email"), f"{path}.email"),
                phone=self.text(c.get("phone"), f"{path}.phone"),
                affiliation=self.text(c.get("affiliation"), f"{path}.affiliation"),
            ),
        )
        if kind == "contract" and not contractors:
            self.warn(
                "maintenance.contractors",
                'contractors is a required field when "type" is "contract"',
            )
        if kind != "contract" and m.get("contractors"):
            self.warn(
                "maintenance.contractors",
                'contractors must not be present unless "type" is "contract"',
            )
        if kind in ("internal", "community") and not contacts:
            self.warn(
                "maintenance.contacts", f'contacts is a required field when "type" is "{kind}"'
            )
        return kind, contractors, contacts

    def requirements(self) -> list[Requirement]:
        depends = self.mapping(self.data.get("dependsOn"), "dependsOn")
        out = []
        for kind in ("open", "proprietary", "hardware"):
            for i, dep in enumerate(depends.get(kind) or []):
                path = f"dependsOn.{kind}[{i}]"
                dep = self.mapping(dep, path)
                name = self.text(dep.get("name"), f"{path}.name")
                if not name:
                    self.warn(f"{path}.name", "name is a required field")
                    continue
                self.origins.setdefault("requirements", []).append(path)
                out.append(
                    Requirement(
                        name=name,
                        kind=kind,
                        version=self.text(dep.get("version"), f"{path}.version"),
                        version_min=self.text(dep.get("versionMin"), f"{path}.versionMin"),
                        version_max=self.text(dep.get("versionMax"), f"{path}.versionMax"),
                        optional=bool(dep.get("optional", False)),
                    )
                )
        for key in depends:
            if key not in ("open", "proprietary", "hardware"):
                self.warn(f"dependsOn.{key}", f'unknown field "{key}"; ignored')
        return out

    def countries(self) -> tuple[dict[str, dict[str, Any]], list[LeikaRef], list[str], str | None]:
        sections: dict[str, dict[str, Any]] = {}
        leika: list[LeikaRef] = []
        topics: list[str] = []
        costs: str | None = None
        for key, value in self.data.items():
            code = key.upper()
            if code not in COUNTRY_KEYS:
                continue
            if key != code:
                self.warn(key, f"lowercase country section {key!r} is deprecated, use {code!r}")
            section = dict(self.mapping(value, key))
            if code == "IT":
                version = section.get("countryExtensionVersion")
                if version is not None and str(version) not in ("0.2", "1.0"):
                    self.warn(
                        f"{key}.countryExtensionVersion",
                        'countryExtensionVersion must be one of "0.2" or "1.0"',
                    )
            if code == "DE":
                for i, ref in enumerate(self.list_of(section.get("leika"), f"{key}.leika")):
                    found = self.leika(ref, f"{key}.leika[{i}]")
                    if found is not None:
                        leika.append(found)
                topics = self.texts(section.get("themen"), f"{key}.themen")
                costs = self.text(section.get("kosten"), f"{key}.kosten")
                section = {k: v for k, v in section.items() if k not in _DE_OWNED}
            if section:  # an empty section carries nothing worth keeping
                sections[code] = section
        return sections, leika, topics, costs


def _is_text(value: Any) -> bool:
    """A scalar read as text: strings, and numbers the file did not quote (0.5, 2026)."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """What a value is, in the words of YAML, for a message."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SHORT_DESCRIPTION_MAX:
        return text
    cut = text[: SHORT_DESCRIPTION_MAX - 1].rsplit(" ", 1)[0]
    return cut + "…"


# -- export ---------------------------------------------------------------------------------


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v not in (None, [], {}, "")}


def to_publiccode(solution: Solution) -> dict[str, Any]:
    """The publiccode.yml content of a solution, as a mapping in the standard's key order."""
    s = solution
    out = _drop_empty(
        {
            "publiccodeYmlVersion": EXPORT_VERSION,
            "name": s.name,
            "applicationSuite": s.application_suite,
            "url": s.url,
            "landingURL": s.landing_url,
            "isBasedOn": s.is_based_on,
            "softwareVersion": s.software_version,
            "releaseDate": s.release_date,
            "logo": s.logo,
            "platforms": s.platforms,
            "categories": s.categories,
            "usedBy": s.used_by,
            "roadmap": s.roadmap,
            "developmentStatus": s.maturity,
            "softwareType": s.software_type,
            "intendedAudience": _drop_empty(
                {
                    "scope": s.audience_scope,
                    "countries": s.audience_countries,
                    "unsupportedCountries": s.audience_unsupported_countries,
                }
            ),
            "description": _descriptions_out(s),
            "legal": _drop_empty(
                {"license": s.license, "mainCopyrightOwner": s.main_copyright_owner}
            ),
            "maintenance": _maintenance_out(s),
            "localisation": _drop_empty(
                {
                    "localisationReady": s.localisation_ready,
                    "availableLanguages": s.available_languages,
                }
            ),
            "dependsOn": _depends_out(s),
        }
    )
    if s.localisation_ready is False:
        out.setdefault("localisation", {})["localisationReady"] = False
    for code, section in s.country_sections.items():
        if code != "DE" and section:
            out[code] = dict(section)
    german = _german_out(s)
    if german:
        out["DE"] = german
    return out


def _descriptions_out(s: Solution) -> dict[str, Any]:
    return {
        lang: _drop_empty(
            {
                "localisedName": d.localised_name,
                "genericName": d.generic_name,
                "shortDescription": d.short_description,
                "longDescription": d.long_description,
                "documentation": d.documentation,
                "apiDocumentation": d.api_documentation,
                "features": d.features,
                "screenshots": d.screenshots,
                "videos": d.videos,
                "awards": d.awards,
            }
        )
        for lang, d in s.descriptions.items()
    }


def _maintenance_out(s: Solution) -> dict[str, Any]:
    maintenance: dict[str, Any] = {"type": s.maintenance_type or "none"}
    if s.maintenance_type == "contract":
        maintenance["contractors"] = [
            _drop_empty({"name": c.name, "until": c.until, "email": c.email, "website": c.website})
            for c in s.contractors
        ]
    if s.contacts:
        maintenance["contacts"] = [
            _drop_empty(
                {"name": c.name, "email": c.email, "phone": c.phone, "affiliation": c.affiliation}
            )
            for c in s.contacts
        ]
    return maintenance


def _depends_out(s: Solution) -> dict[str, list[dict[str, Any]]]:
    depends: dict[str, list[dict[str, Any]]] = {}
    for r in s.requirements:
        entry = _drop_empty(
            {
                "name": r.name,
                "version": r.version,
                "versionMin": r.version_min,
                "versionMax": r.version_max,
            }
        )
        if r.optional:
            entry["optional"] = True
        depends.setdefault(r.kind, []).append(entry)
    return depends


def _german_out(s: Solution) -> dict[str, Any]:
    """The DE section: what the file had there, with the record's LeiKa, themes and costs."""
    german = dict(s.country_sections.get("DE", {}))
    owned = _drop_empty(
        {
            "leika": [
                _drop_empty(
                    {
                        "themenfeld": r.themenfeld,
                        "lebenslage": r.lebenslage,
                        "ozg-id": r.ozg_id,
                        "leika-id": r.leika_id,
                    }
                )
                for r in s.leika
            ],
            "themen": s.topics,
            "kosten": s.cost_notes,
        }
    )
    if not (german or owned):
        return {}
    return {"countryExtensionVersion": "1.0", **german, **owned}


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Long texts as literal blocks, so the file stays readable and diffable.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def export_publiccode(solution: Solution) -> str:
    """The publiccode.yml text of a solution (publiccodeYmlVersion "0")."""
    return yaml.dump(
        to_publiccode(solution),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
