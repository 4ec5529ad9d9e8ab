"""Deterministic placeholder predictions, and the predict action that serves them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ...core.engine import Engine, Reply, Request
from ...core.errors import BadRequest
from .common import WML, not_found, path_id


def predict(input_data: Any) -> list[dict[str, Any]]:
    """Deterministic placeholder predictions: one output block per input block, one row per row."""
    blocks = []
    for block in input_data if isinstance(input_data, list) else []:
        rows = block.get("values", []) if isinstance(block, dict) else []
        values = []
        for row in rows:
            digest = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).digest()
            probability = round(int.from_bytes(digest[:2], "big") / 65535, 4)
            values.append([1 if probability >= 0.5 else 0, [round(1 - probability, 4), probability]])
        out = {"fields": ["prediction", "probability"], "values": values}
        if isinstance(block, dict) and "id" in block:
            out["id"] = block["id"]
        blocks.append(out)
    return blocks


@WML.action("predict")
def predict_action(engine: Engine, request: Request) -> Reply:
    kind, api = request.kind, request.api
    wanted = path_id(request)
    coll = engine.collection(api, kind)
    record = coll.get(wanted)
    if record is None:
        for pointer in request.op.options.get("lookup", ()):
            for op in api.operations_of(kind.name, "list"):
                for flt in op.filters:
                    if flt.field == pointer:
                        hits = coll.by_filter(flt.param, wanted)
                        record = hits[0] if hits else record
    if record is None:
        raise not_found(kind.name, wanted)
    if not isinstance(request.body, dict) or not isinstance(request.body.get("input_data"), list):
        raise BadRequest("the scoring payload needs an input_data array", code="invalid_input")
    return Reply(200, {"predictions": predict(request.body["input_data"])})
