"""The schema family in worker processes (issue 9: the full default run within 45 s on 2 cores).

Two thirds of a default run is the ``schema`` family, and nearly all of that is hypothesis drawing
request bodies (``benchmarks/bench_check.py``; cProfile: 70 % in ``ConjectureData.draw``): pure
Python under one GIL, which threads cannot share out. Its rules are judged one operation at a time
and each is repeatable on its own (its seed is the run's, its names come from the rule and the
subject), so the operations can be split across processes and give the verdicts a single process
would give.

Only for a target reached over HTTP (an in-process ASGI app cannot be handed to another process)
and without ``-v`` (which prints every exchange as it happens). Each worker builds its own
:class:`Target` from the same connection settings when it starts (:class:`Workers` starts them
before the family's turn), and a ledger per chunk, which comes back with the outcomes so that the
cleanup at the end removes what the workers created too. Chunks are small and the costliest go
first (:func:`plan`), so that both workers end together.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import mlmock.spec as specs
from mlmock.spec.declarations import ApiDeclaration

from .checks import bounds
from .registry import Rule
from .results import Outcome
from .target import Target

PARALLEL_FAMILIES = ("schema",)
# Operations a worker takes at a time: small, so that the workers end together.
CHUNK = 4


@dataclass(frozen=True)
class Connection:
    """What a worker needs to reach the target as the parent does."""

    base_url: str
    token: str | None
    limited_token: str | None
    verify: bool | str
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, target: Target) -> Connection:
        return cls(target.base_url, target.token, target.limited_token, target.verify,
                   tuple(target.headers.items()))

    def target(self) -> Target:
        target = Target.from_url(self.base_url, token=self.token, verify=self.verify, headers=dict(self.headers))
        target.limited_token = self.limited_token
        return target


def usable(target: Target, workers: int) -> bool:
    return workers > 1 and target.app is None and target.on_exchange is None


def shared_out(rule: Rule) -> bool:
    """Whether ``rule`` is judged in the worker processes (where they are :func:`usable`)."""
    return rule.family in PARALLEL_FAMILIES and rule.per == "operation"


# In a worker: the target, reached as the parent reaches it, for every chunk the worker judges.
_TARGET: Target | None = None


def _prepare(api: str, connection: Connection) -> None:
    """A worker's start: the imports, the target and the loaded schema, before the first chunk."""
    global _TARGET
    from .checks.schema import _shared_schema

    _TARGET = connection.target()
    _shared_schema(api, None, frozenset())  # the schema most runs use (every operation served)


def _ready() -> None:
    """A task that makes the pool start a worker now."""


def _judge_chunk(api: str, options: dict[str, Any],
                 pairs: Sequence[tuple[str, str]]) -> tuple[list[tuple[Outcome, Outcome | None]], list]:
    """In a worker: judge each (rule name, operation id); the outcomes and what was created."""
    from .context import Context, Ledger
    from .registry import RULES, subject_name
    from .runner import judge_one

    declaration = specs.declaration(api)
    ledger = Ledger()
    results = []
    for rule_name, operation_id in pairs:
        rule = RULES[rule_name]
        subject = declaration.operations[operation_id]
        ctx = Context(api=declaration, target=_TARGET, scope=f"{rule.name}:{subject_name(subject)}",
                      ledger=ledger, **options)
        results.append(judge_one(rule, subject, ctx))
    return results, ledger.items


def weight(api: ApiDeclaration, operation_id: str) -> int:
    """How much generating an operation's cases costs, roughly: drawing a request body is most of
    it, and grows with the component schemas the body reaches."""
    op = api.operations[operation_id]
    content = (op.request_body or {}).get("content") or {}
    schemas = [media["schema"] for media in content.values() if isinstance(media, dict) and "schema" in media]
    if not schemas:
        return 1
    return 2 + len(bounds.reached(api.document.get("components", {}).get("schemas", {}), schemas))


def plan(api: ApiDeclaration, pairs: Sequence[tuple[str, str]], size: int = CHUNK) -> list[list[tuple[str, str]]]:
    """``pairs`` in chunks of ``size``, the costliest first: a worker that finishes takes the next
    chunk, so the last chunks, which decide when the family ends, are the cheapest."""
    ordered = sorted(pairs, key=lambda pair: -weight(api, pair[1]))
    return [ordered[start:start + size] for start in range(0, len(ordered), size)]


class Workers:
    """The worker processes of one run, started before they are needed: spawning one and importing
    schemathesis and hypothesis in it costs about 1.3 s of CPU, which then overlaps the run's
    sandbox, discovery and exclusive families instead of delaying the schema family."""

    def __init__(self, api: str, target: Target, workers: int) -> None:
        self.api = api
        # spawn, not fork: the parent runs other families in threads at the same time.
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_prepare, initargs=(api, Connection.of(target)))
        for _ in range(workers):  # the pool starts a worker per task it cannot hand to an idle one
            self.pool.submit(_ready)

    def judge(self, pairs: Sequence[tuple[str, str]], options: dict[str, Any],
              on_result: Callable[[Outcome, Outcome | None], None]) -> list[tuple]:
        """Judge ``pairs`` (rule name, operation id) in the workers; ``on_result`` is called in this
        process for each, chunk by chunk as chunks finish; the created resources are returned."""
        options = {key: value for key, value in options.items() if key != "ledger"}
        created: list[tuple] = []
        chunks = plan(specs.declaration(self.api), pairs)
        futures = [self.pool.submit(_judge_chunk, self.api, options, chunk) for chunk in chunks]
        for future in as_completed(futures):
            results, items = future.result()
            for outcome, setup in results:
                on_result(outcome, setup)
            created += items
        return created

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)
