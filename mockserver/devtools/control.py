"""The control plane as a Python API: what ``/_mlmock/api`` serves and the fixtures call.

Everything a client developer needs to set the scene around the mock: reset (the whole mock back
to how it started), forget (the resources of every API, one API, or one space, project or
service), seed, snapshots, the clock, lifecycle pace and forced states, the request journal and
fault rules. Bad input raises typed errors (400, 404), never
anything else. Methods are safe to call from another thread than the server's.
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import Coroutine, Mapping
from typing import Any

from starlette.types import ASGIApp

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..core import lifecycle
from ..core.engine import Engine
from ..core.errors import BadRequest, NotFound
from ..core.lifecycle import Progression
from . import seeding, snapshots
from .faults import Faults
from .journal import Journal

MAX_ADVANCE_MS = 10 * 365 * 24 * 3600 * 1000
MAX_LIST = 1000


def run_sync(coroutine: Coroutine) -> Any:
    """Run ``coroutine`` to completion from synchronous code, even inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def worker() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=worker, name="mlmock-control")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Control:
    def __init__(self, *, engine: Engine, apis: Mapping[str, ApiDeclaration], journal: Journal,
                 faults: Faults, inner: ASGIApp, seed: int | None = None):
        self.engine = engine
        self.apis = dict(apis)
        self.journal = journal
        self.faults = faults
        self.inner = inner  # the guarded app: seeding bypasses the journal and the fault rules
        self.seed_value = seed
        self.mark_baseline()

    # ------------------------------------------------------------------ baseline and reset

    def mark_baseline(self) -> None:
        """What a full reset goes back to: the current lifecycle policies, clock and id source."""
        self._policies = dict(self.engine.lifecycles.policies())
        self._clock = copy.deepcopy(self.engine.clock)
        self._ids = copy.deepcopy(self.engine.ids)

    def _restore_baseline(self) -> None:
        lifecycles = self.engine.lifecycles
        lifecycles.set_policy(Progression.parse(self._policies["default"]))
        for key, text in self._policies.items():
            if key != "default":
                api, _, kind = key.partition(".")
                lifecycles.set_policy(Progression.parse(text), api or None, kind)
        # In place: whoever holds the engine's clock or id source keeps a live one.
        self.engine.clock.__dict__.update(copy.deepcopy(self._clock).__dict__)
        self.engine.ids.__dict__.update(copy.deepcopy(self._ids).__dict__)
        self.faults.reset(self.seed_value)

    def reset(self, api: str | None = None, **selector: str) -> dict[str, Any]:
        """The mock as freshly started: resources (catalogues come back), journal, fault rules and
        their random source, lifecycle policies, clock and ids.

        With ``api`` (and a selector) this is the older spelling of :meth:`forget`, kept working
        (``POST /_mlmock/api/reset`` with a body is the same); its answer says ``reset``."""
        if api is None and not selector:
            self.engine.reset()
            self.journal.clear()
            self._restore_baseline()
            return {"reset": "everything"}
        return self._forget(api, selector, verb="reset")

    def forget(self, api: str | None = None, **selector: str) -> dict[str, Any]:
        """Remove resources, nothing else (journal, fault rules, clock stay): every API's without
        arguments, one API's with ``api`` (its catalogue comes back in both cases); with a selector
        (``space_id=``, ``project_id=`` for WML, ``service=`` for OpenMetadata) those of that space,
        project or service only."""
        if api is None and not selector:
            self.engine.reset()
            return {"forgot": "everything"}
        return self._forget(api, selector, verb="forgot")

    def _forget(self, api: str | None, selector: dict[str, Any], *, verb: str) -> dict[str, Any]:
        what = "reset" if verb == "reset" else "forget"
        if api is None:
            raise BadRequest(f"{what}: name the api whose space, project or service to {what}")
        decl = self.api(api)
        if not selector:
            self.engine.reset(api)
            return {verb: api}
        if len(selector) != 1:
            raise BadRequest(f"{what}: give one of " + ", ".join(self.selectors(decl)))
        (key, value), = selector.items()
        if not isinstance(value, str) or not value:
            raise BadRequest(f"{what}: {key} must be a non-empty string")
        if any(key in kind.scope for kind in decl.kinds.values()):
            removed = self.engine.remove_where(api, scope=f"{key.removesuffix('_id')}:{value}")
        elif key in self.selectors(decl):
            removed = self.engine.remove_where(api, filter=(key, value))
        else:
            raise BadRequest(f"{what}: {api} resources are not partitioned by {key!r}; "
                             f"use one of {', '.join(self.selectors(decl)) or 'none'}")
        return {verb: api, key: value, "removed": removed}

    @staticmethod
    def selectors(decl: ApiDeclaration) -> list[str]:
        """The partitions :meth:`forget` may name: scope parameters, else the list filters naming a parent."""
        scopes = sorted({name for kind in decl.kinds.values() for name in kind.scope})
        if scopes:
            return scopes
        parents = {kind.parent.kind for kind in decl.kinds.values() if kind.parent}
        found = set()
        for op in decl.operations_of(action="list"):
            for flt in op.filters:
                kind = decl.kinds.get(op.kind or "")
                if kind is not None and kind.parent is not None and kind.parent.kind in parents \
                        and flt.field.startswith(kind.parent.field):
                    found.add(flt.param)
        return sorted(found)

    # ------------------------------------------------------------------ lookups

    def api(self, name: Any) -> ApiDeclaration:
        decl = self.apis.get(name) if isinstance(name, str) else None
        if decl is None:
            raise NotFound(f"unknown api {name!r}; served: {', '.join(self.apis)}")
        return decl

    def kind(self, api: Any, kind: Any) -> tuple[ApiDeclaration, Kind]:
        decl = self.api(api)
        found = decl.kinds.get(kind) if isinstance(kind, str) else None
        if found is None:
            raise NotFound(f"unknown kind {kind!r} of {api}; kinds: {', '.join(decl.kinds)}")
        return decl, found

    # ------------------------------------------------------------------ seeding and snapshots

    async def seed_async(self, data: Any, *, forget: bool = False, origin: str = "http://localhost",
                         reset: bool = False) -> dict:
        """Create what a seed document lists (see ``seeding``); all or nothing. ``forget``: remove
        every resource first (``reset`` is its older name; the journal, rules and clock stay)."""
        if isinstance(data, str | bytes):
            data = seeding.parse(data)
        seeding.plan(data, self.apis)  # a malformed document fails before anything changes
        before = snapshots.export(self.engine.store)
        if forget or reset:
            self.engine.reset()
        try:
            return await seeding.apply(self.inner, self.apis, data, token=self.engine.settings.token,
                                       origin=origin, store=self.engine.store)
        except BaseException:
            snapshots.restore(self.engine.store, before)
            raise

    def seed(self, data: Any, *, forget: bool = False, origin: str = "http://localhost",
             reset: bool = False) -> dict:
        """``data``: a seed document (dict), its YAML/JSON text, or a path (``pathlib.Path``)."""
        if hasattr(data, "read_bytes"):
            data = seeding.read(data)
        return run_sync(self.seed_async(data, forget=forget or reset, origin=origin))

    def snapshot(self) -> dict[str, Any]:
        return snapshots.export(self.engine.store)

    def restore(self, snapshot: Any) -> dict[str, Any]:
        count = snapshots.restore(self.engine.store, snapshot)
        self.engine.seed_catalogues()
        return {"restored": count}

    # ------------------------------------------------------------------ clock

    def clock(self) -> dict[str, Any]:
        now = self.engine.clock.now_ms()
        return {"now_ms": now}

    def advance_clock(self, ms: Any) -> dict[str, Any]:
        """Move the clock forward (it stands still afterwards, until advanced again or reset)."""
        if isinstance(ms, bool) or not isinstance(ms, int | float) or not 0 <= ms <= MAX_ADVANCE_MS:
            raise BadRequest(f"clock: advance_ms must be a number of milliseconds in 0..{MAX_ADVANCE_MS}")
        self.engine.clock.advance(int(ms))
        return self.clock()

    # ------------------------------------------------------------------ lifecycles

    def lifecycles(self) -> dict[str, Any]:
        kinds = []
        for decl in self.apis.values():
            for kind in decl.kinds.values():
                if kind.lifecycle is not None:
                    kinds.append({"api": decl.name, "kind": kind.name, "field": kind.lifecycle.field,
                                  "initial": kind.lifecycle.initial, "states": list(decl.lifecycle_states(kind)),
                                  "transitions": {k: list(v) for k, v in kind.lifecycle.transitions.items()},
                                  "progression": str(self.engine.lifecycles.policy(decl.name, kind.name))})
        return {"policies": self.engine.lifecycles.policies(), "kinds": kinds}

    def set_progression(self, progression: Any, api: str | None = None, kind: str | None = None) -> dict:
        """``immediate``, ``manual``, ``reads:N`` or ``time:SECONDS``: for one kind, every lifecycle
        kind of one API, or (neither named) the default of all."""
        if not isinstance(progression, str):
            raise BadRequest("progression must be a string: immediate, manual, reads:N or time:SECONDS")
        try:
            parsed = Progression.parse(progression)
        except ValueError as error:
            raise BadRequest(str(error)) from None
        lifecycles = self.engine.lifecycles
        if kind is not None:
            if api is None:
                raise BadRequest("progression: name the api of the kind")
            decl, found = self.kind(api, kind)
            if found.lifecycle is None:
                raise BadRequest(f"{api}.{kind} has no lifecycle")
            lifecycles.set_policy(parsed, decl.name, found.name)
        elif api is not None:
            decl = self.api(api)
            named = [k for k in decl.kinds.values() if k.lifecycle is not None]
            if not named:
                raise BadRequest(f"{api} has no kind with a lifecycle")
            for found in named:
                lifecycles.set_policy(parsed, decl.name, found.name)
        else:
            lifecycles.set_policy(parsed)
        return self.lifecycles()

    def force_state(self, api: str, kind: str, id_: str, state: Any, message: Any = None) -> dict:
        """Put a resource into any documented state of its lifecycle (failures carry the
        documented failure details, with ``message`` when given)."""
        decl, found = self.kind(api, kind)
        if found.lifecycle is None:
            raise BadRequest(f"{api}.{kind} has no lifecycle")
        if not isinstance(state, str) or not state:
            raise BadRequest("state must be a non-empty string")
        if message is not None and not isinstance(message, str):
            raise BadRequest("message must be a string")
        if self.engine.store.get(decl.name, found.name, id_) is None:
            raise NotFound(f"no {kind} {id_!r} in {api}")
        try:
            doc = self.engine.force_state(decl.name, found.name, id_, state, message)
        except KeyError as error:
            raise NotFound(f"unknown {error}") from None
        return lifecycle.strip(copy.deepcopy(doc))

    def step(self, api: str, kind: str, id_: str) -> dict:
        """Move a resource one step along its lifecycle's happy path."""
        decl, found = self.kind(api, kind)
        record = self.engine.store.get(decl.name, found.name, id_)
        if record is None:
            raise NotFound(f"no {kind} {id_!r} in {api}")
        if found.lifecycle is None:
            raise BadRequest(f"{api}.{kind} has no lifecycle")
        state = lifecycle.state_of(found, record.doc)
        nxt = lifecycle.happy_next(found, state) if state is not None else None
        if nxt is None:
            raise BadRequest(f"{kind} {id_} rests in state {state!r}: force a state instead")
        return self.force_state(api, kind, id_, nxt)

    # ------------------------------------------------------------------ resources

    def summary(self) -> list[dict[str, Any]]:
        """Live resources counted by API, kind and scope (space, project; "" when unscoped)."""
        return [{"api": api, "kind": kind, "scope": scope, "count": n}
                for api, kind, scope, n in self.engine.store.kinds_summary() if api in self.apis]

    def resources(self, api: str, kind: str, *, scope: str | None = None, after: int = 0,
                  limit: int = 100) -> dict[str, Any]:
        decl, found = self.kind(api, kind)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
            raise BadRequest(f"limit must be an integer in 1..{MAX_LIST}")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise BadRequest("after must be a non-negative integer")
        records = self.engine.store.records(decl.name, found.name, scope, after_rowid=after, limit=limit + 1)
        items = [{"id": r.id, "name": pointer_get(r.doc, found.name_pointer) if found.name_pointer else None,
                  "scope": r.scope, "deleted": r.deleted, "state": lifecycle.state_of(found, r.doc),
                  "position": r.rowid} for r in records[:limit]]
        more = len(records) > limit
        return {"items": items, "next": items[-1]["position"] if more else None}

    def resource(self, api: str, kind: str, id_: str) -> dict[str, Any]:
        decl, found = self.kind(api, kind)
        record = self.engine.store.get(decl.name, found.name, id_)
        if record is None:
            raise NotFound(f"no {kind} {id_!r} in {api}")
        return lifecycle.strip(copy.deepcopy(record.doc))

    # ------------------------------------------------------------------ journal

    def journal_entries(self, **filters: Any) -> list[dict[str, Any]]:
        return self.journal.entries(**filters)

    def clear_journal(self) -> None:
        self.journal.clear()

    # ------------------------------------------------------------------ faults

    def add_fault(self, rule: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        spec = dict(rule or {}, **fields)
        return self.faults.add(spec).to_json()

    def fail_next(self, method: str = "*", path: str = "*", status: int = 503, *, times: int = 1,
                  **more: Any) -> dict[str, Any]:
        """The next ``times`` calls of ``method path`` answer ``status`` in the API's envelope."""
        return self.add_fault(method=method, path=path, status=status, times=times, **more)

    def fault_rules(self) -> list[dict[str, Any]]:
        return [rule.to_json() for rule in self.faults.rules()]

    def remove_fault(self, rule_id: Any) -> None:
        if isinstance(rule_id, bool) or not isinstance(rule_id, int) or not self.faults.remove(rule_id):
            raise NotFound(f"no fault rule {rule_id!r}")

    def clear_faults(self) -> None:
        self.faults.clear()

    # ------------------------------------------------------------------ overview

    def overview(self) -> dict[str, Any]:
        return {"apis": [{"name": d.name, "dialect": d.dialect, "base_path": d.base_path or "/"}
                         for d in self.apis.values()],
                "resources": self.summary(), "clock": self.clock(),
                "lifecycles": self.engine.lifecycles.policies(),
                "journal": {"entries": len(self.journal), "size": self.journal.size,
                            "body_limit": self.journal.body_limit},
                "faults": self.fault_rules(), "seed": self.seed_value}

