"""The typed x-mlmock-* vocabulary: parsed once, with defaults, and refused clearly when malformed."""

from __future__ import annotations

import copy

import pytest

from mlmock import spec
from mlmock.spec.declarations import DeclarationError, read_declaration


def _wml_with(kind: str, **changes) -> dict:
    document = copy.deepcopy(spec.document("wml"))
    document["x-mlmock-kinds"][kind].update(changes)
    return document


def test_no_kind_keeps_its_raw_mapping():
    kind = spec.declaration("wml").kinds["deployment"]
    assert not hasattr(kind, "raw")


def test_a_bare_start_pagination_block_gets_the_wml_pointers_and_parameters():
    p = spec.declaration("wml").kinds["model"].pagination
    assert (p.style, p.start_param, p.limit_param) == ("start", "start", "limit")
    assert (p.items, p.first, p.next, p.limit, p.total) == (
        "/resources", "/first/href", "/next/href", "/limit", "/total_count")
    assert p.total_param is None and p.after_param is None
    assert spec.declaration("wml").kinds["training"].pagination.total_param == "total_count"


def test_a_cursor_pagination_block_gets_the_openmetadata_pointers():
    p = spec.declaration("openmetadata").kinds["mlmodel"].pagination
    assert (p.items, p.total, p.after, p.before) == ("/data", "/paging/total", "/paging/after", "/paging/before")
    assert (p.after_param, p.before_param, p.order_by) == ("after", "before", "/name")
    assert p.next is None and p.start_param is None


def test_lifecycle_keys_are_typed():
    wml = spec.declaration("wml")
    deployment, job, model = (wml.kinds[k].lifecycle for k in ("deployment", "deployment_job", "model"))
    assert deployment.resting == ("ready", "failed") and deployment.on_patch == "updating"
    assert "/asset" in deployment.on_patch_paths and deployment.failure == "/entity/status/failure"
    assert job.fields == (job.field, "/entity/decision_optimization/status/state")
    assert job.on_enter["completed"].output == "/entity/scoring/predictions"
    assert model.applies_if == "/entity/content_location"


def test_other_kind_keys_are_typed():
    wml = spec.declaration("wml")
    assert wml.kinds["deployment"].parent.kinds == ("model", "function")
    assert wml.kinds["deployment"].parent.kind == "model"
    assert wml.kinds["space"].metadata_names.owner == "creator_id"
    assert wml.kinds["space"].provenance.level == "reading"
    assert wml.kinds["asset"].view_of.lookup == "/metadata/id"
    assert wml.kinds["model"].attachments.replace_key[0] == "content_format"
    assert wml.kinds["model"].versioning.param == "rev"
    assert wml.scopes["space_id"].auto_create and not wml.scopes["project_id"].auto_create
    assert spec.declaration("openmetadata").kinds["mlmodelService"].delete.recursive_param == "recursive"


def test_filters_are_typed_on_their_operation():
    wml = spec.declaration("wml")
    jobs = {f.param: f for f in wml.operation("deployment_job", "list").filters}
    assert jobs["tag.value"].syntax == "comma-any" and jobs["tag.value"].match == "contains"


@pytest.mark.parametrize(("changes", "where", "what"), [
    ({"lifecycle": {"field": "/entity/status/state", "initial": "queued", "transitions": {"queued": ["done"]},
                    "restin": ["done"]}},
     "/x-mlmock-kinds/training/lifecycle", "unknown key(s) restin"),
    ({"pagination": {"style": "pages"}}, "/x-mlmock-kinds/training/pagination/style", "style must be one of"),
    ({"pagination": {"style": "start", "next": "next/href"}},
     "/x-mlmock-kinds/training/pagination/next", "expected a JSON pointer"),
    ({"readonly": "yes"}, "/x-mlmock-kinds/training/readonly", "expected true or false"),
    ({"scope": "space_id"}, "/x-mlmock-kinds/training/scope", "expected a list of strings"),
    ({"lifecycle": {"field": "/entity/status/state", "initial": "nowhere", "transitions": {}}},
     "/x-mlmock-kinds/training/lifecycle/initial", "has no transitions"),
])
def test_a_malformed_declaration_names_the_file_and_the_pointer(changes, where, what):
    with pytest.raises(DeclarationError) as raised:
        read_declaration(_wml_with("training", **changes), source="spec/wml.yaml")
    message = str(raised.value)
    assert message.startswith(f"spec/wml.yaml: {where}: "), message
    assert what in message


def test_a_missing_required_key_is_named():
    document = copy.deepcopy(spec.document("wml"))
    del document["x-mlmock-kinds"]["model"]["schema"]
    with pytest.raises(DeclarationError, match=r"spec/wml.yaml: /x-mlmock-kinds/model: missing required key 'schema'"):
        read_declaration(document, source="spec/wml.yaml")


def test_a_malformed_filter_names_its_parameter():
    document = copy.deepcopy(spec.document("wml"))
    params = document["paths"]["/ml/v4/deployment_jobs"]["get"]["parameters"]
    declared = next(p for p in params if isinstance(p, dict) and "x-mlmock-filter" in p)
    declared["x-mlmock-filter"] = {**declared["x-mlmock-filter"], "match": "like"}
    with pytest.raises(DeclarationError, match=r"^spec/wml.yaml: /paths/~1ml~1v4~1deployment_jobs/get/parameters/"
                                               r".*/x-mlmock-filter/match: match must be one of"):
        read_declaration(document, source="spec/wml.yaml")


def test_an_echoed_header_is_typed_for_the_whole_api():
    wml = spec.declaration("wml")
    assert [(h.name, h.pointer) for h in wml.echoed_headers] == [("X-Global-Transaction-Id", "/trace")]
    assert spec.declaration("openmetadata").echoed_headers == ()


ECHOED = "/components/parameters/TransactionId/x-mlmock-echoed-in"


@pytest.mark.parametrize(("change", "what"), [
    ({"x-mlmock-echoed-in": "trace"}, f"{ECHOED}: expected a JSON pointer"),
    ({"x-mlmock-echoed-in": 3}, f"{ECHOED}: expected a string"),
    ({"x-mlmock-echoed-in": "/"}, f"{ECHOED}: expected the pointer of"),
    ({"in": "query"}, f"{ECHOED}: only a header parameter"),
    ({"x-mlmock-echoed-in": "/transaction"}, "X-Global-Transaction-Id is echoed in /transaction, which the 400 answer"),
])
def test_a_malformed_echoed_header_names_the_file_and_the_pointer(change, what):
    document = copy.deepcopy(spec.document("wml"))
    document["components"]["parameters"]["TransactionId"].update(change)
    with pytest.raises(DeclarationError) as raised:
        read_declaration(document, source="spec/wml.yaml")
    assert str(raised.value).startswith("spec/wml.yaml: ") and what in str(raised.value), str(raised.value)


def test_operation_and_parameter_extensions_are_typed():
    wml = spec.declaration("wml")
    listing = wml.operations["deployments_list"].extensions
    assert (listing.availability.param, listing.availability.value_param) == ("conflict", "serving_name")
    assert (listing.availability.available, listing.availability.taken) == (204, 409)
    assert listing.stats.group_by == "/metadata/space_id"
    assert dict(listing.stats.counts)["online_count"] == "/entity/online"
    upload = wml.operations["models_upload_content"].extensions
    assert ("content_format", "/content_format") in [(f.param, f.pointer) for f in upload.attachment_fields]
    assert 404 in wml.operations["training_definitions_get"].extensions.unlisted_statuses
    assert any(op.extensions.member_filters for op in wml.operations.values())


DEPLOYMENTS = "/paths/~1ml~1v4~1deployments/get"


def _deployment_param(document: dict, name: str) -> dict:
    return next(p for p in document["paths"]["/ml/v4/deployments"]["get"]["parameters"]
                if isinstance(p, dict) and p.get("name") == name)


@pytest.mark.parametrize(("change", "what"), [
    (lambda d: _deployment_param(d, "conflict")["x-mlmock-availability"].pop("value-param"),
     f"{DEPLOYMENTS}/parameters/conflict/x-mlmock-availability: missing required key 'value-param'"),
    (lambda d: _deployment_param(d, "conflict")["x-mlmock-availability"].update(available="204"),
     f"{DEPLOYMENTS}/parameters/conflict/x-mlmock-availability/available: expected an HTTP status"),
    (lambda d: _deployment_param(d, "stats")["x-mlmock-stats"].update(counts={"n": "entity"}),
     f"{DEPLOYMENTS}/parameters/stats/x-mlmock-stats/counts/n: expected a JSON pointer"),
    (lambda d: d["paths"]["/ml/v4/deployments"]["get"].update({"x-mlmock-unlisted-statuses": [4040]}),
     f"{DEPLOYMENTS}/x-mlmock-unlisted-statuses: expected an HTTP status"),
])
def test_a_malformed_operation_extension_names_the_file_and_the_pointer(change, what):
    document = copy.deepcopy(spec.document("wml"))
    change(document)
    with pytest.raises(DeclarationError) as raised:
        read_declaration(document, source="spec/wml.yaml")
    assert str(raised.value).startswith("spec/wml.yaml: ") and what in str(raised.value), str(raised.value)
