"""Status lifecycles as data: states and transitions come from the spec, pace from a policy.

A kind's ``lifecycle`` declaration names the state field, the initial state and the allowed
transitions; the state enum is the schema's. The engine moves a resource along its *happy path*
(the first transition listed for each state) until it reaches a resting state (one with no
transitions, or listed in ``resting``). How fast is a :class:`Progression`, chosen per kind:

- ``immediate``: the happy path is walked at once, when the resource is created or patched;
- ``reads:N``: one step every N reads of the resource;
- ``time:S``: one step every S seconds (the default, 1 s: suits interactive use);
- ``manual``: never by itself; the control plane forces states.

Bookkeeping lives in the stored document under ``BOOKKEEPING`` and is never rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlmock.spec.declarations import ApiDeclaration, Kind, pointer_get, pointer_set

from .errors import BadRequest

BOOKKEEPING = "__mlmock__"
OnEnter = Callable[[Kind, str, dict], None]


@dataclass(frozen=True)
class Progression:
    mode: str = "time"
    reads: int = 1
    seconds: float = 1.0

    @classmethod
    def parse(cls, text: str) -> Progression:
        """``immediate`` | ``manual`` | ``reads:N`` | ``time:SECONDS``."""
        mode, _, arg = text.strip().partition(":")
        try:
            if mode in ("immediate", "manual") and not arg:
                return cls(mode=mode)
            if mode == "reads":
                n = int(arg or 1)
                if n >= 1:
                    return cls(mode=mode, reads=n)
            if mode == "time":
                seconds = float(arg or 1.0)
                if seconds >= 0:
                    return cls(mode=mode, seconds=seconds)
        except ValueError:
            pass
        raise ValueError(f"progression must be immediate, manual, reads:N or time:SECONDS, not {text!r}")

    def __str__(self) -> str:
        if self.mode == "reads":
            return f"reads:{self.reads}"
        if self.mode == "time":
            return f"time:{self.seconds:g}"
        return self.mode


def resting_states(kind: Kind) -> set[str]:
    return set(kind.lifecycle.resting) if kind.lifecycle else set()


def happy_next(kind: Kind, state: str) -> str | None:
    """The state the engine moves to by itself from ``state`` (None when it rests there)."""
    if state in resting_states(kind):
        return None
    options = kind.lifecycle.transitions.get(state, ())
    return options[0] if options else None


def fields(kind: Kind, doc: dict) -> list[str]:
    """The pointers holding this resource's state (the main field and present alternates).

    A field is present when its own section is: the first member below the prefix all the
    fields share (a job with ``/entity/decision_optimization`` keeps its state at
    ``/entity/decision_optimization/status/state``, even before it has one).
    """
    lc = kind.lifecycle
    candidates = list(lc.fields)
    if len(candidates) == 1:
        return candidates
    split = [c.split("/") for c in candidates]
    shared = 0
    while all(len(s) > shared + 1 for s in split) and len({s[shared] for s in split}) == 1:
        shared += 1
    found = [c for c, s in zip(candidates, split, strict=True)
             if pointer_get(doc, "/".join(s[:shared + 1])) is not None]
    return found or [lc.field]


def applies(kind: Kind, doc: dict) -> bool:
    if kind.lifecycle is None:
        return False
    condition = kind.lifecycle.applies_if
    return condition is None or pointer_get(doc, condition) is not None


def state_of(kind: Kind, doc: dict) -> str | None:
    return pointer_get(doc, fields(kind, doc)[0]) if applies(kind, doc) else None


class Lifecycles:
    """Per-kind progression policies and the moves they cause."""

    def __init__(self, default: Progression | None = None):
        self.default = default or Progression()
        self._policies: dict[tuple[str, str], Progression] = {}

    def policy(self, api: str, kind: str) -> Progression:
        return self._policies.get((api, kind), self.default)

    def set_policy(self, progression: Progression, api: str | None = None, kind: str | None = None) -> None:
        """Set the pace of one kind, or the default of every kind when none is named."""
        if kind is None:
            self.default = progression
            self._policies.clear()
        else:
            self._policies[(api or "", kind)] = progression

    def policies(self) -> dict[str, str]:
        shown = {"default": str(self.default)}
        shown.update({f"{api}.{kind}": str(p) for (api, kind), p in self._policies.items()})
        return shown

    # ------------------------------------------------------------------ moves

    def _set(self, kind: Kind, doc: dict, state: str, now_ms: int, on_enter: OnEnter | None) -> None:
        for pointer in fields(kind, doc):
            pointer_set(doc, pointer, state)
        doc[BOOKKEEPING] = {"since": now_ms, "reads": 0}
        if on_enter is not None:
            on_enter(kind, state, doc)

    def begin(self, api: str, kind: Kind, doc: dict, now_ms: int, *, state: str | None = None,
              on_enter: OnEnter | None = None) -> None:
        """Put a new (or just patched) resource in ``state`` (the initial one by default)."""
        if not applies(kind, doc):
            return
        self._set(kind, doc, state or kind.lifecycle.initial, now_ms, on_enter)
        if self.policy(api, kind.name).mode == "immediate":
            self._walk(kind, doc, now_ms, steps=None, on_enter=on_enter)

    def advance(self, api: str, kind: Kind, doc: dict, now_ms: int, *, read: bool,
                on_enter: OnEnter | None = None) -> bool:
        """Move along the happy path as the policy allows; True when ``doc`` changed and must be stored
        (a new state, or under ``reads:N`` a counted read)."""
        if not applies(kind, doc) or state_of(kind, doc) is None:
            return False
        policy = self.policy(api, kind.name)
        book = doc.setdefault(BOOKKEEPING, {"since": now_ms, "reads": 0})
        if policy.mode == "immediate":
            steps = None
        elif policy.mode == "reads":
            if read:
                book["reads"] = book.get("reads", 0) + 1
            steps = book.get("reads", 0) // policy.reads
        elif policy.mode == "time":
            elapsed = (now_ms - book.get("since", now_ms)) / 1000.0
            steps = int(elapsed // policy.seconds) if policy.seconds > 0 else None
        else:
            return False
        if steps == 0:
            return read and policy.mode == "reads"
        since = book.get("since", now_ms)
        moved = self._walk(kind, doc, now_ms, steps=steps, on_enter=on_enter)
        if moved and policy.mode == "time" and steps is not None:
            # The next step is due one period after the last one was, not after this late look.
            doc[BOOKKEEPING]["since"] = since + int(steps * policy.seconds * 1000)
        return moved

    def _walk(self, kind: Kind, doc: dict, now_ms: int, *, steps: int | None, on_enter: OnEnter | None) -> bool:
        moved = False
        while steps is None or steps > 0:
            nxt = happy_next(kind, state_of(kind, doc))
            if nxt is None:
                break
            self._set(kind, doc, nxt, now_ms, on_enter)
            moved = True
            if steps is not None:
                steps -= 1
        return moved

    def force(self, api: ApiDeclaration, kind: Kind, doc: dict, state: str, now_ms: int, *,
              message: str | None = None, on_enter: OnEnter | None = None) -> None:
        """Put a resource in any documented state (failures get the documented failure details)."""
        if kind.lifecycle is None:
            raise BadRequest(f"{kind.name} has no lifecycle")
        states = api.lifecycle_states(kind)
        if states and state not in states:
            raise BadRequest(f"{state!r} is not a state of {kind.name}; documented: {', '.join(states)}")
        self._set(kind, doc, state, now_ms, on_enter)
        failure = kind.lifecycle.failure
        if failure and state in ("failed", "error"):
            pointer_set(doc, failure, {
                "trace": "mlmock-forced",
                "errors": [{"code": f"{kind.name}_failed",
                            "message": message or f"{kind.name} failed (forced through the mlmock control plane)"}],
            })


def strip(doc: dict[str, Any]) -> dict[str, Any]:
    doc.pop(BOOKKEEPING, None)
    return doc
