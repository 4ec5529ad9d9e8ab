"""Scoring: an online deployment answers predictions, addressed by its id or by its serving name.

The suite deploys a model it made itself (metadata only, no trained content). A server that needs
real content to serve one will fail or never ready that deployment: the rule then skips, since no
outside suite can supply a trained model for every framework.
"""

from __future__ import annotations

import time

from mlmock.spec.declarations import ApiDeclaration, Kind, Operation, pointer_get

from ..context import Context
from ..registry import rule
from ..results import Skip, expect

POLLS = 40
PAUSE = 0.25
PAYLOAD = {"input_data": [{"fields": ["x", "y"], "values": [[1, 2], [3, 4]]}]}


def _predict(api: ApiDeclaration, kind: Kind) -> Operation | None:
    return api.operation(kind.name, "predict")


def _applies(api: ApiDeclaration, kind: Kind) -> bool:
    return (_predict(api, kind) is not None and api.operation(kind.name, "create") is not None
            and api.operation(kind.name, "get") is not None and kind.lifecycle is not None)


def _settle(ctx: Context, kind: Kind, id_: str) -> str:
    """Poll the new deployment until it rests; skip unless it rests in a state that serves."""
    field = kind.lifecycle.field
    state = None
    for _ in range(POLLS):
        response = ctx.fetch(kind, id_)
        if response.status_code != 200:
            raise Skip(f"the new {kind.name} {id_} cannot be read ({response.status_code}): nothing to score")
        state = pointer_get(response.json(), field)
        if state in kind.lifecycle.resting:
            break
        time.sleep(PAUSE)
    else:
        raise Skip(f"the new {kind.name} {id_} did not come to rest (last state {state!r}): nothing to score")
    failure = kind.lifecycle.failure
    if state == "failed" or (failure and pointer_get(response.json(), failure)):
        raise Skip(f"the {kind.name} {id_} of a model the suite made (no trained content) rested {state!r}: "
                   "this server needs real model content to score, which no outside suite can supply")
    return state


@rule("status.scoring", family="status", when=_applies, provenance="documented",
      source="ibm-wml-v4-api POST /ml/v4/deployments/{deployment_id}/predictions: 'The deployment_id can be either "
             "the deployment_id that identifies the deployment or a serving_name'; '200 Scoring response'; "
             "Versioning: 'Send the version parameter with every API request'")
def scoring(ctx: Context, kind: Kind) -> None:
    """A ready online deployment scores (200, `predictions`) by its id and by its serving name; without
    `version` it answers 400."""
    predict = _predict(ctx.api, kind)
    if not ctx.serves(predict):
        raise Skip(f"{predict.method} {predict.path} is not served: nothing to score")
    lookups = list(predict.options.get("lookup") or [kind.id])
    entity = ctx.create(kind)  # the minimal deployment is an online one, with a fresh serving name
    id_ = ctx.id_of(kind, entity)
    _settle(ctx, kind, id_)
    param = ctx.id_param(predict)
    addressed = []
    for pointer in lookups:
        value = pointer_get(entity, pointer) if pointer != kind.id else id_
        if value is None:
            continue
        response = ctx.call(predict, path={param: value}, json=PAYLOAD)
        what = "id" if pointer == kind.id else f"{pointer.rsplit('/', 1)[-1]} {value!r}"
        expect(response.status_code == 200, f"{predict.method} {predict.path} of the ready {kind.name} {id_}, "
               f"addressed by its {what}, must answer 200 with the scoring response", response)
        body = response.json() if response.content else None
        expect(isinstance(body, dict) and isinstance(body.get("predictions"), list),
               f"the scoring response of the {kind.name} addressed by its {what} must carry a `predictions` list",
               response)
        addressed.append(what)
    if len(addressed) < 2 and len(lookups) > 1:
        raise Skip(f"the created {kind.name} has no {lookups[-1]}: it was scored by {', '.join(addressed)} only")
    version = predict.parameter("version")
    if version is not None and version.get("required"):
        response = ctx.call(predict, path={param: id_}, json=PAYLOAD, bare=True)
        expect(response.status_code == 400, f"{predict.method} {predict.path} without version must answer 400",
               response)
