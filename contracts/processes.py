"""The schema family in worker processes (issue 9: the full default run within 45 s on 2 cores).

Two thirds of a default run is the ``schema`` family, and nearly all of that is hypothesis drawing
request bodies (``benchmarks/bench_check.py``; cProfile: 70 % in ``ConjectureData.draw``): pure
Python under one GIL, which threads cannot share out. Its rules are judged one operation at a time
and each is repeatable on its own (its seed is the run's, its names come from the rule and the
subject), so the operations can be split across processes and give the verdicts a single process
would give.

Only for a target reached over HTTP (an in-process ASGI app cannot be handed to another process)
and without ``-v`` (which prints every exchange as it happens). Each worker builds its own
:class:`Target` from the same connection settings and its own ledger, which comes back with the
outcomes so that the cleanup at the end removes what the workers created too.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import mlmock.spec as specs

from .results import Outcome
from .target import Target

PARALLEL_FAMILIES = ("schema",)


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


def _judge_chunk(api: str, connection: Connection, options: dict[str, Any],
                 pairs: Sequence[tuple[str, str]]) -> tuple[list[tuple[Outcome, Outcome | None]], list]:
    """In a worker: judge each (rule name, operation id); the outcomes and what was created."""
    from .context import Context, Ledger
    from .registry import RULES, subject_name
    from .runner import judge_one

    declaration = specs.declaration(api)
    target = connection.target()
    ledger = Ledger()
    results = []
    try:
        for rule_name, operation_id in pairs:
            rule = RULES[rule_name]
            subject = declaration.operations[operation_id]
            ctx = Context(api=declaration, target=target, scope=f"{rule.name}:{subject_name(subject)}",
                          ledger=ledger, **options)
            results.append(judge_one(rule, subject, ctx))
    finally:
        target.close()
    return results, ledger.items


def judge(api: str, target: Target, pairs: Sequence[tuple[str, str]], options: dict[str, Any], workers: int,
          on_result: Callable[[Outcome, Outcome | None], None]) -> list[tuple]:
    """Judge ``pairs`` (rule name, operation id) in ``workers`` processes; ``on_result`` is called in
    this process for each, chunk by chunk as chunks finish; the created resources are returned."""
    options = {key: value for key, value in options.items() if key != "ledger"}
    # Interleaved chunks, several per worker: operations differ a lot in cost (a deployment body
    # against a tag list), and a worker that finishes early takes the next chunk.
    chunks = [list(pairs[start::workers * 3]) for start in range(workers * 3)]
    created: list[tuple] = []
    # spawn, not fork: the parent runs other families in threads at the same time.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_judge_chunk, api, Connection.of(target), options, chunk) for chunk in chunks if chunk]
        for future in as_completed(futures):
            results, items = future.result()
            for outcome, setup in results:
                on_result(outcome, setup)
            created += items
    return created
