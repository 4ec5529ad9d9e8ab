"""Stateful sequences generated from the spec's links (schemathesis state machine)."""

from __future__ import annotations

import contextlib
import warnings

from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import HypothesisWarning
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.core.failures import Failure, FailureGroup

from mlmock.spec.declarations import ApiDeclaration

from ..context import Context
from ..registry import rule
from ..results import Skip, Violation
from .schema import _checks, _schema, headers_for, record

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "use_after_free", "ensure_resource_availability")


def _linked(api: ApiDeclaration, subject) -> bool:
    return any("links" in response for op in api.operations.values() for response in op.responses.values())


@rule("stateful.links", family="stateful", per="api", when=_linked,
      provenance="documented",
      source="the spec's links (create, then get, patch, delete the created resource)")
def links(ctx: Context, api: ApiDeclaration) -> None:
    """Chains of calls along the spec's links (create, then get, patch, delete) keep every response valid."""
    schema = _schema(ctx.api.name, ctx.target.app, ctx.unserved)
    base_url = ctx.target.base_url + ctx.api.base_path
    headers = ctx.target.auth_headers()
    transport = ctx.target.transport_kwargs()
    checks = _checks(CHECKS)
    machine = schema.as_state_machine()
    failures: list[str] = []

    class Machine(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"base_url": base_url, "headers": headers_for(ctx, case), **transport}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            record(ctx, case, response)
            try:
                case.validate_response(response, checks=checks, headers=headers, transport_kwargs=transport)
            except (FailureGroup, Failure) as error:
                failures.append(f"{error}\n  reproduce: {case.as_curl_command(headers=headers)}")
                raise

    if not machine.bundles:
        raise Skip("the spec's links give the state machine nothing to chain")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypothesisWarning)
        with contextlib.suppress(FailureGroup, Failure, AssertionError):
            run_state_machine_as_test(Machine, settings=settings(
                max_examples=max(5, ctx.max_examples // 2), stateful_step_count=6, deadline=None, database=None,
                phases=[Phase.generate], derandomize=True, suppress_health_check=list(HealthCheck)))
    if failures:
        first = failures[0].strip().splitlines()
        violation = Violation("\n  ".join(first[:8]))
        violation.curl = first[-1].split("reproduce: ", 1)[-1]
        raise violation
