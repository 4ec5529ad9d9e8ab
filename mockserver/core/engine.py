"""The one engine behind every resource kind of every API.

An operation of the spec is served by the action its ``x-mlmock-op`` names. Actions live on
each API family's ``Dialect`` object (``dialect.py``; ``dialects/openmetadata/``,
``dialects/wml/``), with its error envelope, seeder, token verifier and state forcer: a dialect knows an
API family's representation (envelopes, versions, links), never a particular kind. Everything a
kind does differently is read from its declaration in the spec.

This module holds what every dialect shares: the request and reply types, the clock and id
source, and the per-(API, kind) collections (``collection.py``) through which the dialects read,
write, index and page the store.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlmock import DEFAULT_TOKEN
from mlmock.spec.declarations import ApiDeclaration, Kind, Operation

from . import jsonsafety
from .collection import Collection, remove_where, unique_keys
from .dialect import dialect as dialect_named
from .errors import BadRequest, Forbidden, MockError, NotFound
from .lifecycle import Lifecycles, Progression
from .store import Store

# ----------------------------------------------------------------------------- requests


@dataclass
class Request:
    """What an action needs of an HTTP request, already validated against the spec."""

    api: ApiDeclaration
    op: Operation
    params: dict[str, Any]
    body: Any = None
    origin: str = "http://localhost"
    principal: str = "admin"
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes = b""
    content_type: str | None = None  # as the client declared it (uploads reach connexion as bytes)
    query: tuple[tuple[str, str], ...] = ()  # the query as sent, undeclared parameters included

    def param(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value

    @property
    def kind(self) -> Kind:
        if self.op.kind is None:
            raise MockError(f"{self.op.operation_id} declares no kind")
        return self.api.kinds[self.op.kind]


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


# ----------------------------------------------------------------------------- clock, ids


class Clock:
    """Wall-clock milliseconds, or a fixed and advanceable time for deterministic runs."""

    def __init__(self, start_ms: int | None = None):
        self._fixed = start_ms

    def now_ms(self) -> int:
        if self._fixed is not None:
            return self._fixed
        return time.time_ns() // 1_000_000

    def advance(self, ms: int) -> None:
        if self._fixed is None:
            self._fixed = self.now_ms()
        self._fixed += ms


class Ids:
    """UUID4 identifiers; repeatable when seeded."""

    def __init__(self, seed: int | None = None):
        self._random = random.Random(seed) if seed is not None else None

    def new(self) -> str:
        if self._random is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


@dataclass
class Settings:
    token: str = DEFAULT_TOKEN  # the one default: what `mlmock serve` and the fixtures accept
    principal: str = "admin"
    # A second token, for a principal that authenticates but may do nothing the spec documents a
    # 403 for (spec/README.md reading 45): what `mlmock check --limited-token` needs. None: no such token.
    limited_token: str | None = None
    limited_principal: str = "limited-user"
    openmetadata_version: str = "2.0.7"
    max_depth: int = jsonsafety.DEFAULT_MAX_DEPTH
    # How statuses progress unless a kind is told otherwise (see lifecycle.Progression).
    progression: str = "time:1"
    # Signs the bearer JWTs the WML authorize endpoint issues; random per process by default.
    jwt_secret: str = field(default_factory=lambda: uuid.uuid4().hex)
    # WML: an unknown space named by an /ml/v4 call springs into existence instead of a 404.
    auto_spaces: bool = False


class Engine:
    def __init__(self, store: Store | None = None, *, settings: Settings | None = None,
                 clock: Clock | None = None, ids: Ids | None = None):
        self.store = store or Store()
        self.settings = settings or Settings()
        self.clock = clock or Clock()
        self.ids = ids or Ids()
        self.lifecycles = Lifecycles(Progression.parse(self.settings.progression))
        self.apis: dict[str, ApiDeclaration] = {}
        # How many resources each dialect's seeder put in per (api, kind): the catalogues, which a
        # count of what clients created leaves out (seeded spaces are creatable kinds too).
        self.seeded: dict[tuple[str, str], int] = {}

    def principal(self, token: str) -> str | None:
        """Who a bearer token belongs to, or None when the mock did not issue it."""
        if token == self.settings.token:
            return self.settings.principal
        if self.settings.limited_token and token == self.settings.limited_token:
            return self.settings.limited_principal
        for declaration in self.apis.values():
            found_dialect = dialect_named(declaration.dialect)
            verifier = found_dialect.verifier if found_dialect else None
            found = verifier(self, token) if verifier else None
            if found:
                return found
        return None

    def reset(self, api: str | None = None) -> None:
        """Forget every resource (of one API, or all), then put the seeded catalogues back."""
        self.store.reset(api)
        self.seed_catalogues(api)

    def seed_catalogues(self, api: str | None = None) -> None:
        """(Re)write the read-only catalogues (idempotent: keeps everything else)."""
        for name, declaration in self.apis.items():
            if api is None or api == name:
                found = dialect_named(declaration.dialect)
                seeder = found.seeder if found else None
                if seeder is not None:
                    seeder(self, declaration)

    def force_state(self, api: str, kind: str, id_: str, state: str, message: str | None = None) -> dict:
        """Put resource ``id_`` of ``kind`` into lifecycle ``state``; returns the stored document."""
        declaration = self.apis[api]
        found = dialect_named(declaration.dialect)
        forcer = found.forcer if found else None
        if forcer is None:
            raise BadRequest(f"{api} resources have no lifecycle")
        if kind not in declaration.kinds:
            raise NotFound(f"unknown kind {kind!r} of {api}")
        return forcer(self, declaration, declaration.kinds[kind], id_, state, message)

    def handle(self, request: Request) -> Reply:
        found = dialect_named(request.api.dialect)
        handler = found.actions.get(request.op.action or "") if found else None
        if handler is None:
            raise MockError(f"no {request.api.dialect} action {request.op.action!r}", status=501)
        if self.limited(request):
            raise Forbidden(f"the user '{request.principal}' is not authorized to {request.op.method} "
                            f"{request.api.base_path}{request.op.path}")
        return handler(self, request)

    def limited(self, request: Request) -> bool:
        """The limited principal is refused, before anything is looked up, by every operation whose
        spec documents a 403 (spec/README.md reading 45); it may do everything else."""
        return (self.settings.limited_token is not None and request.principal == self.settings.limited_principal
                and "403" in request.op.responses)

    # ------------------------------------------------------------------ collections

    def transaction(self) -> contextlib.AbstractContextManager[Store]:
        """Serialise a read-modify-write over several collections (the store's one transaction)."""
        return self.store.transaction()

    def collection(self, api: ApiDeclaration, kind: Kind | str) -> Collection:
        """The resources of one kind of one API: what the dialects read, write, index and page."""
        return Collection(self, api, kind)

    def remove_where(self, api: str, *, scope: str | None = None,
                     filter: tuple[str, str] | None = None) -> int:
        """Remove every resource of ``api`` in ``scope``, or whose filter ``(param, value)`` matches
        (the control plane's scoped reset); returns how many."""
        return remove_where(self.store, api, scope=scope, filter=filter)

    def attrs(self, api: ApiDeclaration, kind: Kind, doc: Mapping[str, Any],
              extra: Mapping[str, Iterable[str]] | None = None) -> dict[str, list[str]]:
        """The values to index for ``doc``: ``extra`` and its declared filters' values."""
        return self.collection(api, kind).index(doc, extra)

    def unique_keys(self, kind: Kind, doc: Mapping[str, Any], *, parent: str = "",
                    scope: str = "") -> dict[str, str]:
        """Index keys of a resource's declared unique fields (absent values are not keys)."""
        return unique_keys(kind, doc, parent=parent, scope=scope)
