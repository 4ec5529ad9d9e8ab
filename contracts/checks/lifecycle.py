"""Lifecycles: states stay in their documented enum and move only along documented transitions."""

from __future__ import annotations

import time

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect

POLLS = 12
PAUSE = 0.25


def _living(api: ApiDeclaration, kind: Kind) -> bool:
    return (kind.lifecycle is not None and api.operation(kind.name, "create") is not None
            and api.operation(kind.name, "get") is not None)


def _reachable(kind: Kind, start: str, end: str) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        state = frontier.pop()
        for nxt in kind.lifecycle.transitions.get(state, ()):
            if nxt == end:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


@rule("lifecycle.documented-transitions", family="lifecycle", when=_living,
      provenance="reading",
      source='spec/README.md reading 21 (states and transitions the reference does not list)')
def documented_transitions(ctx: Context, kind: Kind) -> None:
    """A new resource is readable at once; its states are documented and only move forward."""
    states = ctx.api.lifecycle_states(kind)
    entity = ctx.create(kind)
    id_ = ctx.id_of(kind, entity)
    field = kind.lifecycle.field
    if pointer_get(entity, field) is None:
        raise Skip(f"a minimal {kind.name} has no state at {field}")
    seen = [pointer_get(entity, field)]
    for _ in range(POLLS):
        response = ctx.fetch(kind, id_)
        expect(response.status_code == 200, f"a created {kind.name} must stay readable while it progresses",
               response)
        state = pointer_get(response.json(), field)
        expect(state in states, f"state {state!r} at {field} is not one of the documented {list(states)}", response)
        if state != seen[-1]:
            expect(_reachable(kind, seen[-1], state),
                   f"{kind.name} moved from {seen[-1]!r} to {state!r}, which no documented transition allows",
                   response)
            seen.append(state)
        if not kind.lifecycle.transitions.get(state) or state in kind.lifecycle.resting:
            return
        time.sleep(PAUSE)
