"""Passive rules: names, families and provenance.

A passive rule that mirrors an active rule of the contract suite carries the active rule's name and
reads its provenance and source from :data:`contracts.registry.RULES` (one place to change them).
Passive-only rules (judgements only observation makes, such as a request outside the schema that
the server accepted) declare their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import checks  # noqa: F401  (registers the active rules whose provenance mirrors read)
from ..registry import FAMILIES, PROVENANCES, RULES

# Violations of these provenances fail a run by default; ``reading`` ones (the project's reading of
# a documentation silence) are reported and fail only with ``--strict``.
FAILING_PROVENANCES = ("documented", "client")


@dataclass(frozen=True)
class PassiveRule:
    name: str
    family: str
    doc: str
    own_provenance: str | None = None
    own_source: str = ""

    @property
    def mirrors(self) -> bool:
        return self.own_provenance is None

    @property
    def provenance(self) -> str:
        if self.own_provenance is not None:
            return self.own_provenance
        return RULES[self.name].provenance

    @property
    def source(self) -> str:
        return self.own_source if self.own_provenance is not None else RULES[self.name].source

    def fails(self, strict: bool = False) -> bool:
        return strict or self.provenance in FAILING_PROVENANCES


PASSIVE: dict[str, PassiveRule] = {}


def passive_rule(name: str, doc: str, *, provenance: str | None = None, source: str = "") -> PassiveRule:
    """Register a passive rule. Without ``provenance`` it mirrors the active rule of that name."""
    family = name.split(".", 1)[0]
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    if provenance is None and name not in RULES:
        raise ValueError(f"{name}: no active rule to mirror; give the passive rule its own provenance")
    if provenance is not None and provenance not in PROVENANCES:
        raise ValueError(f"unknown provenance {provenance!r}")
    PASSIVE[name] = PassiveRule(name=name, family=family, doc=doc, own_provenance=provenance, own_source=source)
    return PASSIVE[name]


SPEC = "the operation's OpenAPI description (spec/*.yaml)"

# Passive-only rules: what observation alone can judge about one exchange against the spec.
SCHEMA_REQUEST = passive_rule(
    "schema.request", "A request the spec forbids (parameters or body) is not answered 2xx",
    provenance="documented", source=SPEC)
SCHEMA_RESPONSE = passive_rule(
    "schema.response", "A documented answer's body matches its documented schema",
    provenance="documented", source=SPEC)
STATUS = passive_rule(
    "schema.status-documented", "The status is one the operation documents (never 5xx)",
    provenance="documented", source=SPEC)
CONTENT_TYPE = passive_rule(
    "schema.content-type", "The answer's content type is one the operation documents for its status",
    provenance="documented", source=SPEC)
ENVELOPE = passive_rule(
    "schema.error-envelope", "An error answer carries the API's error envelope",
    provenance="documented", source=SPEC + ": the error schemas of each API")

# Mirrors of active rules.
AUTH_MISSING = passive_rule("auth.missing-token", "A secured operation never answers 2xx without credentials")
PAGE_SIZE = passive_rule("pagination.page-size", "A page holds at most `limit` items (its default when not sent)")
WALK = passive_rule("pagination.walk-forward", "A walk along next links never yields an item twice")
TOTAL = passive_rule("pagination.total", "A walk that reaches the end yields as many items as `total` says")
PATCH_APPLIED = passive_rule("patch.documented-ops-applied",
                             "A 2xx patch answers the patch applied to the last observed state")
IMMUTABLE = passive_rule("patch.immutable-fields", "A patch or upsert never changes an immutable field")
DUPLICATE = passive_rule("conflict.duplicate-create",
                         "A create whose unique fields a live resource holds is not answered 2xx")
UPSERT_ID = passive_rule("conflict.upsert-keeps-id", "An upsert of an existing resource keeps its id")
VERSIONS = passive_rule("conflict.version-rules", "Versions never go back and move by a documented step")
REVISIONS = passive_rule("versioning.revisions-immutable", "A revision reads the same every time")
VERSION_PARAM = passive_rule("versioning.version-required", "A request without the version date is refused")
LIFECYCLE = passive_rule("lifecycle.documented-transitions",
                         "States are documented and move only along documented transitions")
ISOLATION = passive_rule("isolation.other-space", "A resource of one space is never served to another space")
DELETE_REMOVES = passive_rule("deletion.delete-removes", "A deleted resource is no longer served")
SOFT_HIDES = passive_rule("deletion.soft-delete-hides", "A soft-deleted resource is not served by default")
CANCEL_KEEPS = passive_rule("deletion.cancel-keeps", "A cancelled (not hard-deleted) resource stays readable")
LIMIT_BOUNDS = passive_rule("pagination.limit-bounds", "A limit outside its documented bounds is refused")
WALK_BACK = passive_rule("pagination.walk-backward", "A `before` cursor answers the page before the one that gave it")
FILTER = passive_rule("pagination.filter", "Every item of a filtered list matches the filter")
NEXT_LINK = passive_rule("pagination.next-link-complete", "A next link keeps the query of the page (scope, filters)")
ATOMIC = passive_rule("patch.failed-op-atomic", "A refused patch leaves the resource as it was")
MALFORMED = passive_rule("patch.malformed-rejected", "A patch body that is not JSON Patch is refused")
UNDOCUMENTED = passive_rule("patch.undocumented-rejected", "A patch of an undocumented path is refused")
SERVER_FIELDS = passive_rule("patch.server-fields-recomputed", "A patch never sets a server-managed field")
PROBE = passive_rule("conflict.availability-probe", "The availability probe answers taken for a name in use")
HARD_REMOVES = passive_rule("deletion.hard-delete-removes", "A hard-deleted resource is gone, even with include=all")
RESTORE = passive_rule("deletion.restore", "A restored resource is served again")
