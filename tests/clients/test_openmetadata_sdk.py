"""The official OpenMetadata SDK (openmetadata-ingestion 2.0.7.0), unmodified, against the mock.

Every test drives the SDK's public API (``metadata.sdk.configure``, the ``MLModels`` facade and the
ingestion client ``OpenMetadata`` behind it) and asserts on the objects the SDK hands back, so a
response the SDK cannot parse (extra keys, a missing required field, a wrong type) fails here as it
would for a user. The expectations are the real server's behaviour as recorded in
shared/notes/official-clients.md, Part 2.

The SDK is not a dependency of the project: install it with
tests/clients/install-openmetadata-sdk.sh. Without it the module is skipped.
``import metadata.sdk`` takes 5-8 s, so it happens once, here.
"""

from __future__ import annotations

import json
import uuid

import pytest

sdk = pytest.importorskip(
    "metadata.sdk", reason="install with tests/clients/install-openmetadata-sdk.sh"
)

from metadata.generated.schema.api.data.createMlModel import CreateMlModelRequest  # noqa: E402
from metadata.generated.schema.api.services.createMlModelService import (  # noqa: E402
    CreateMlModelServiceRequest,
)
from metadata.generated.schema.entity.data.mlmodel import (  # noqa: E402
    FeatureType,
    MlFeature,
    MlHyperParameter,
    MlModel,
)
from metadata.generated.schema.entity.services.connections.mlmodel.mlflowConnection import (  # noqa: E402
    MlflowConnection,
)
from metadata.generated.schema.entity.services.mlmodelService import (  # noqa: E402
    MlModelConnection,
    MlModelService,
    MlModelServiceType,
)
from metadata.generated.schema.type.basic import Markdown, Status  # noqa: E402
from metadata.ingestion.ometa.client import APIError  # noqa: E402
from metadata.sdk import MLModels  # noqa: E402
from metadata.utils.fqn import quote_name  # noqa: E402

SERVICE = "mlflow_svc"


# ------------------------------------------------------------------------------------------------
# Fixtures and helpers
# ------------------------------------------------------------------------------------------------
@pytest.fixture
def sdk_client(openmetadata_mock):
    """``metadata.sdk.configure`` against the mock (fresh state), undone afterwards.

    The SDK keeps its configuration in globals: ``configure`` sets the module-level client and
    ``OpenMetadata._default_client``, but each entity facade also caches the client it first used
    (``BaseEntity._default_client``), which ``metadata.sdk.reset()`` does not clear. So every test
    re-registers the new client on ``MLModels`` explicitly.
    """
    sdk.reset()
    client = sdk.configure(host=openmetadata_mock.url + "/api", jwt_token=openmetadata_mock.token)
    MLModels.use_client(client)
    yield client
    sdk.reset()


@pytest.fixture
def om(sdk_client):
    """The ingestion client (metadata.ingestion.ometa.ometa_api.OpenMetadata) behind the SDK."""
    return sdk_client.ometa


def create_service(om, name: str = SERVICE) -> MlModelService:
    request = CreateMlModelServiceRequest(
        name=name,
        serviceType=MlModelServiceType.Mlflow,
        connection=MlModelConnection(
            config=MlflowConnection(
                trackingUri="http://localhost:5000", registryUri="sqlite:///mlflow.db"
            )
        ),
    )
    return om.create_or_update(request)


@pytest.fixture
def service(om) -> MlModelService:
    return create_service(om)


def new_model(name: str, service: str = SERVICE, **fields) -> MlModel:
    model = MLModels.create(CreateMlModelRequest(name=name, service=service, **fields))
    assert isinstance(model, MlModel), f"MLModels.create returned {type(model).__name__}: {model!r}"
    return model


def fqn_of(model: MlModel) -> str:
    return model.fullyQualifiedName.root


def version_of(model: MlModel) -> float:
    return model.version.root


def names(models) -> list[str]:
    return [m.name.root for m in models]


def history_entries(versions) -> list[dict]:
    """MLModels.get_versions() entries as dicts (the real server sends JSON-encoded strings)."""
    entries = []
    for item in versions:
        if isinstance(item, str):
            entries.append(json.loads(item))
        elif isinstance(item, dict):
            entries.append(item)
        else:
            entries.append(json.loads(item.model_dump_json(by_alias=True, exclude_none=True)))
    return entries


# ------------------------------------------------------------------------------------------------
# Start-up
# ------------------------------------------------------------------------------------------------
def test_configure_checks_the_server_version(openmetadata_mock):
    sdk.reset()
    try:
        client = sdk.configure(
            host=openmetadata_mock.url + "/api", jwt_token=openmetadata_mock.token
        )
        assert sdk.client() is client
        assert client.config.server_url == openmetadata_mock.url + "/api"
        # configure() already ran the version check (GET /api/v1/system/version); run it again.
        server_version = client.ometa.get_server_version()
        assert server_version.split(".")[:2] == ["2", "0"], server_version
        assert client.ometa.health_check() is True
    finally:
        sdk.reset()


def test_configure_without_a_token_is_refused_before_any_request(openmetadata_mock, monkeypatch):
    monkeypatch.delenv("OPENMETADATA_JWT_TOKEN", raising=False)
    monkeypatch.delenv("OPENMETADATA_API_KEY", raising=False)
    sdk.reset()
    with pytest.raises(ValueError, match="JWT token or API key is required"):
        sdk.configure(host=openmetadata_mock.url + "/api")
    sdk.reset()


# ------------------------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------------------------
def test_create_mlmodel_service_applies_the_connection_defaults(om):
    svc = create_service(om)
    assert isinstance(svc, MlModelService)
    assert svc.name.root == SERVICE
    assert svc.fullyQualifiedName.root == SERVICE
    assert svc.serviceType == MlModelServiceType.Mlflow
    config = svc.connection.config
    assert isinstance(config, MlflowConnection)
    assert config.trackingUri == "http://localhost:5000"
    assert config.registryUri == "sqlite:///mlflow.db"
    assert config.type.value == "Mlflow"  # not sent by the SDK (schema default)

    fetched = om.get_by_name(entity=MlModelService, fqn=SERVICE)
    assert fetched is not None and fetched.id == svc.id
    assert [s.id for s in om.list_services(entity=MlModelService)] == [svc.id]

    # create_or_update is a PUT upsert: the same name again is the same service.
    assert create_service(om).id == svc.id


# ------------------------------------------------------------------------------------------------
# Create (PUT upsert) and retrieve
# ------------------------------------------------------------------------------------------------
def test_create_returns_fqn_first_version_and_default_algorithm(om, service):
    model = new_model("churn")
    assert model.name.root == "churn"
    assert fqn_of(model) == f"{SERVICE}.churn"
    assert version_of(model) == pytest.approx(0.1)
    # "algorithm" is required in MlModel but optional in the request; the SDK omits the default.
    assert model.algorithm == "mlmodel"
    assert model.service.id == service.id
    assert model.service.type == "mlmodelService"
    assert model.deleted in (None, False)
    assert model.href is not None and str(model.href.root).startswith("http")  # absolute URL
    assert isinstance(model.updatedAt.root, int) and model.updatedAt.root > 10**12  # epoch ms


def test_create_with_features_and_hyperparameters_echoes_them(om, service):
    model = new_model(
        "customer_segmentation",
        algorithm="KMeans",
        description=Markdown("Segments customers by spend"),
        mlFeatures=[MlFeature(name="total_spend", dataType=FeatureType.numerical)],
        target="customer_segment",
        mlHyperParameters=[MlHyperParameter(name="n_clusters", value="5")],
    )
    assert model.algorithm == "KMeans"
    assert model.description.root == "Segments customers by spend"
    assert model.target.root == "customer_segment"
    [feature] = model.mlFeatures
    assert feature.name.root == "total_spend"
    assert feature.dataType == FeatureType.numerical
    assert feature.fullyQualifiedName.root == f"{SERVICE}.customer_segmentation.total_spend"
    [param] = model.mlHyperParameters
    assert (param.name, param.value) == ("n_clusters", "5")

    again = MLModels.retrieve(model.id)
    assert again.mlFeatures == model.mlFeatures
    assert again.mlHyperParameters == model.mlHyperParameters


def test_create_is_an_upsert(om, service):
    first = new_model("churn")
    second = new_model("churn", description=Markdown("now described"))
    assert second.id == first.id
    assert second.description.root == "now described"
    assert version_of(second) == pytest.approx(0.2)
    assert names(MLModels.list_all()) == ["churn"]


def test_create_in_an_unknown_service_raises_404(om, service):
    with pytest.raises(APIError) as excinfo:
        MLModels.create(CreateMlModelRequest(name="orphan", service="no_such_service"))
    assert excinfo.value.code == 404
    assert excinfo.value.status_code == 404


def test_retrieve_by_name_and_by_id(om, service):
    created = new_model("churn", algorithm="XGBoost")

    by_name = MLModels.retrieve_by_name(f"{SERVICE}.churn")
    by_id = MLModels.retrieve(created.id)
    by_id_str = MLModels.retrieve(str(created.id.root))
    for found in (by_name, by_id, by_id_str):
        assert isinstance(found, MlModel)
        assert found.id == created.id
        assert fqn_of(found) == f"{SERVICE}.churn"
        assert found.algorithm == "XGBoost"

    with_fields = MLModels.retrieve_by_name(f"{SERVICE}.churn", fields=["owners", "tags"])
    assert with_fields.id == created.id
    assert with_fields.owners is None or with_fields.owners.root == []
    assert with_fields.tags in (None, [])


@pytest.mark.parametrize(
    ("name", "expected_fqn"),
    [
        ("m.v1", f'{SERVICE}."m.v1"'),  # a "." in the name: the FQN quotes it
        ("team/churn", f"{SERVICE}.team/churn"),  # "/" travels as %2F
        ("churn model v2", f"{SERVICE}.churn model v2"),  # " " travels as %20
        ("a&b=c?d#e%f", f"{SERVICE}.a&b=c?d#e%f"),  # query and fragment characters, "%" itself
    ],
)
def test_retrieve_names_that_need_quoting_or_percent_encoding(om, service, name, expected_fqn):
    created = new_model(name)
    assert created.name.root == name
    assert fqn_of(created) == expected_fqn
    assert fqn_of(created) == f"{SERVICE}.{quote_name(name)}"  # the SDK's own FQN rule agrees

    by_name = MLModels.retrieve_by_name(expected_fqn)
    assert by_name is not None, f"GET by name {expected_fqn!r} returned 404"
    assert by_name.id == created.id and by_name.name.root == name
    assert MLModels.retrieve(created.id).name.root == name
    # the same through the ingestion client, with fields
    assert om.get_by_name(entity=MlModel, fqn=expected_fqn, fields=["owners"]).id == created.id


def test_retrieve_missing_returns_none_or_raises_404(om, service):
    assert MLModels.retrieve_by_name(f"{SERVICE}.nope") is None
    assert MLModels.retrieve(uuid.uuid4()) is None
    with pytest.raises(APIError) as excinfo:
        MLModels.retrieve_by_name(f"{SERVICE}.nope", nullable=False)
    assert excinfo.value.code == 404
    assert excinfo.value.status_code == 404
    with pytest.raises(APIError) as excinfo:
        MLModels.retrieve(uuid.uuid4(), nullable=False)
    assert excinfo.value.code == 404


def test_create_duplicate_with_post_raises_409(om, service):
    request = CreateMlModelRequest(name="churn", service=SERVICE)
    created = om.create(request)
    assert isinstance(created, MlModel) and fqn_of(created) == f"{SERVICE}.churn"
    with pytest.raises(APIError) as excinfo:
        om.create(request)
    assert excinfo.value.code == 409
    assert excinfo.value.status_code == 409
    assert str(excinfo.value)  # the body's "message"
    assert names(MLModels.list_all()) == ["churn"]


# ------------------------------------------------------------------------------------------------
# Listing and paging
# ------------------------------------------------------------------------------------------------
def test_list_pages_with_after_cursors(om, service):
    created = {new_model(f"model_{i}").id.root for i in range(5)}

    seen, page_sizes, after = [], [], None
    for _ in range(10):  # bounded: a cursor that never ends fails instead of hanging
        page = MLModels.list(limit=2, after=after)
        page_sizes.append(len(page.entities))
        seen.extend(m.id.root for m in page.entities)
        if page_sizes == [2]:
            assert page.before is None, "the first page must not have a 'before' cursor"
        if not page.after:
            break
        after = page.after
    else:
        pytest.fail(f"paging did not end after 10 pages; sizes {page_sizes}")

    assert page_sizes == [2, 2, 1]
    assert len(seen) == len(set(seen)) == 5, "a model appeared twice across pages"
    assert set(seen) == created


def test_list_reports_total_and_walks_back_with_before(om, service):
    for i in range(5):
        new_model(f"model_{i}")
    first = om.list_entities(entity=MlModel, limit=2)
    assert first.total == 5
    second = om.list_entities(entity=MlModel, limit=2, after=first.after)
    assert second.total == 5
    assert second.before, "a page after the first must carry a 'before' cursor"
    back = om.list_entities(entity=MlModel, limit=2, before=second.before)
    assert [m.id for m in back.entities] == [m.id for m in first.entities]


def test_list_all_collects_every_model_once(om, service):
    for i in range(5):
        new_model(f"model_{i}")
    everything = MLModels.list_all(batch_size=2)
    assert sorted(names(everything)) == [f"model_{i}" for i in range(5)]
    via_generator = list(om.list_all_entities(entity=MlModel, limit=2))
    assert sorted(names(via_generator)) == [f"model_{i}" for i in range(5)]


def test_list_filters_by_service(om, service):
    create_service(om, "other_svc")
    for i in range(3):
        new_model(f"model_{i}")
    new_model("elsewhere", service="other_svc")

    in_other = MLModels.list(limit=10, filters={"service": "other_svc"})
    assert names(in_other.entities) == ["elsewhere"]
    in_main = MLModels.list_all(batch_size=2, filters={"service": SERVICE})
    assert sorted(names(in_main)) == ["model_0", "model_1", "model_2"]
    assert len(MLModels.list_all()) == 4


# ------------------------------------------------------------------------------------------------
# Update (JSON Patch) and versions
# ------------------------------------------------------------------------------------------------
def test_update_description_is_a_minor_version(om, service):
    model = new_model("churn", algorithm="KMeans")
    changed = model.model_copy(update={"description": Markdown("Predicts churn")})

    updated = MLModels.update(changed)
    # MLModels.update swallows a failed PATCH and returns None (skip_on_failure=True).
    assert updated is not None, "PATCH failed (see the SDK's warning log)"
    assert updated.description.root == "Predicts churn"
    assert version_of(updated) == pytest.approx(0.2)
    assert updated.id == model.id and fqn_of(updated) == fqn_of(model)

    fetched = MLModels.retrieve(model.id)
    assert fetched.description.root == "Predicts churn"
    assert version_of(fetched) == pytest.approx(0.2)


def test_patch_algorithm_is_a_major_version(om, service):
    model = new_model("churn", algorithm="KMeans")
    changed = model.model_copy(update={"algorithm": "DBSCAN"})

    patched = om.patch(entity=MlModel, source=model, destination=changed, skip_on_failure=False)
    assert isinstance(patched, MlModel)
    assert patched.algorithm == "DBSCAN"
    assert version_of(patched) == pytest.approx(1.1)
    assert MLModels.retrieve(model.id).algorithm == "DBSCAN"


def test_patch_nested_hyperparameter_value(om, service):
    model = new_model(
        "churn", mlHyperParameters=[MlHyperParameter(name="n_clusters", value="5", description="k")]
    )
    changed = model.model_copy(deep=True)
    changed.mlHyperParameters[0].value = "8"

    patched = om.patch(entity=MlModel, source=model, destination=changed, skip_on_failure=False)
    assert patched is not None
    assert [(p.name, p.value) for p in patched.mlHyperParameters] == [("n_clusters", "8")]
    assert version_of(patched) > version_of(model)


def test_patch_cannot_rename(om, service):
    model = new_model("churn")
    renamed = model.model_copy(update={"name": "renamed", "description": Markdown("d")})
    patched = om.patch(entity=MlModel, source=model, destination=renamed, skip_on_failure=False)
    # The server ignores changes to name/fullyQualifiedName and applies the rest.
    assert patched.name.root == "churn"
    assert fqn_of(patched) == f"{SERVICE}.churn"
    assert patched.description.root == "d"
    assert MLModels.retrieve_by_name(f"{SERVICE}.churn").id == model.id
    assert MLModels.retrieve_by_name(f"{SERVICE}.renamed") is None


def test_patch_description_helper(om, service):
    model = new_model("churn")
    patched = om.patch_description(
        entity=MlModel, source=model, description="via helper", force=True
    )
    assert patched is not None
    assert patched.description.root == "via helper"
    assert version_of(patched) == pytest.approx(0.2)


def test_unchanged_update_sends_nothing_and_returns_none(om, service):
    model = new_model("churn")
    assert MLModels.update(MLModels.retrieve(model.id)) is None
    assert version_of(MLModels.retrieve(model.id)) == pytest.approx(0.1)


def test_version_history_newest_first_and_specific_versions(om, service):
    model = new_model("churn", algorithm="KMeans")
    v2 = MLModels.update(model.model_copy(update={"description": Markdown("second")}))
    assert v2 is not None and version_of(v2) == pytest.approx(0.2)

    versions = MLModels.get_versions(model.id)
    assert all(isinstance(v, str) for v in versions), (
        "the real server sends each history entry as a JSON-encoded string; got "
        f"{[type(v).__name__ for v in versions]}"
    )
    entries = history_entries(versions)
    assert [e["version"] for e in entries] == [pytest.approx(0.2), pytest.approx(0.1)]
    assert entries[0]["description"] == "second"
    assert "description" not in entries[1]
    assert {e["id"] for e in entries} == {str(model.id.root)}

    history = om.get_list_entity_versions(entity_id=model.id, entity=MlModel)
    assert history.entityType == "mlmodel"
    assert len(history.versions) == 2

    old = MLModels.get_specific_version(model.id, "0.1")
    assert isinstance(old, MlModel)
    assert version_of(old) == pytest.approx(0.1)
    assert old.description is None
    assert old.algorithm == "KMeans"
    current = om.get_entity_version(entity=MlModel, entity_id=model.id, version=0.2)
    assert current.description.root == "second"

    assert om.get_entity_version(entity=MlModel, entity_id=model.id, version="0.9") is None


# ------------------------------------------------------------------------------------------------
# Delete
# ------------------------------------------------------------------------------------------------
def test_soft_delete_hides_the_model_unless_deleted_ones_are_included(om, service):
    model = new_model("churn")
    keep = new_model("keep")
    MLModels.delete(model.id)

    assert MLModels.retrieve(model.id) is None
    assert MLModels.retrieve_by_name(f"{SERVICE}.churn") is None
    assert names(MLModels.list_all()) == ["keep"]

    # Pass `fields` with `include`: without it the SDK builds
    # ".../name/<fqn>&include=deleted" (no "?").
    deleted = om.get_by_name(
        entity=MlModel, fqn=f"{SERVICE}.churn", fields=["owners"], include="deleted"
    )
    assert deleted is not None, "a soft-deleted model must be found with include=deleted"
    assert deleted.id == model.id
    assert deleted.deleted is True
    also = om.get_by_name(entity=MlModel, fqn=f"{SERVICE}.churn", fields=["owners"], include="all")
    assert also is not None and also.deleted is True

    listed_deleted = om.list_entities(entity=MlModel, limit=10, include="deleted")
    assert [m.id for m in listed_deleted.entities] == [model.id]
    listed_all = om.list_entities(entity=MlModel, limit=10, include="all")
    assert {m.id.root for m in listed_all.entities} == {model.id.root, keep.id.root}


def test_hard_delete_removes_the_model_for_good(om, service):
    model = new_model("churn")
    MLModels.delete(model.id, hard_delete=True)

    assert MLModels.retrieve(model.id) is None
    assert MLModels.retrieve_by_name(f"{SERVICE}.churn") is None
    assert (
        om.get_by_name(entity=MlModel, fqn=f"{SERVICE}.churn", fields=["owners"], include="all")
        is None
    )
    with pytest.raises(APIError) as excinfo:
        om.get_by_id(entity=MlModel, entity_id=model.id, nullable=False)
    assert excinfo.value.code == 404
    assert om.list_entities(entity=MlModel, limit=10, include="all").entities == []

    # The name is free again: a new model gets a new id and starts at 0.1.
    reborn = new_model("churn")
    assert reborn.id != model.id
    assert version_of(reborn) == pytest.approx(0.1)


def test_hard_delete_of_a_soft_deleted_model(om, service):
    model = new_model("churn")
    MLModels.delete(model.id)
    MLModels.delete(model.id, hard_delete=True)
    assert (
        om.get_by_name(entity=MlModel, fqn=f"{SERVICE}.churn", fields=["owners"], include="all")
        is None
    )


# ------------------------------------------------------------------------------------------------
# Bulk
# ------------------------------------------------------------------------------------------------
def test_bulk_create_or_update(om, service):
    requests_ = [
        CreateMlModelRequest(name=f"bulk_{i}", service=SERVICE, algorithm="RF") for i in range(3)
    ]
    result = om.bulk_create_or_update(requests_)
    # Any exception in the bulk PUT is swallowed into a failed result: show it.
    failures = [(r.status, r.message) for r in result.failedRequest or []]
    assert result.status == Status.success, failures
    assert result.numberOfRowsProcessed.root == 3
    assert result.numberOfRowsFailed.root == 0
    assert len(result.successRequest or []) == 3

    created = {m.name.root: m for m in MLModels.list_all()}
    assert sorted(created) == ["bulk_0", "bulk_1", "bulk_2"]
    assert {m.algorithm for m in created.values()} == {"RF"}
    assert {fqn_of(m) for m in created.values()} == {f"{SERVICE}.bulk_{i}" for i in range(3)}

    # Upsert: the same names again update in place.
    again = om.bulk_create_or_update(
        [
            CreateMlModelRequest(name=f"bulk_{i}", service=SERVICE, description=Markdown("v2"))
            for i in range(3)
        ]
    )
    assert again.status == Status.success, [
        (r.status, r.message) for r in again.failedRequest or []
    ]
    after = {m.name.root: m for m in MLModels.list_all()}
    assert {n: m.id for n, m in after.items()} == {n: m.id for n, m in created.items()}
    assert {m.description.root for m in after.values()} == {"v2"}


# ------------------------------------------------------------------------------------------------
# Everyday flows (issue 10): users own models; a service per ML type from the SDK's own request
# models; answers carry only what was set or asked for; a service deleted recursively.
# ------------------------------------------------------------------------------------------------
from metadata.generated.schema.api.teams.createTeam import CreateTeamRequest  # noqa: E402
from metadata.generated.schema.api.teams.createUser import CreateUserRequest  # noqa: E402
from metadata.generated.schema.entity.services.connections.mlmodel.customMlModelConnection import (  # noqa: E402
    CustomMlModelConnection,
    CustomMlModelType,
)
from metadata.generated.schema.entity.services.connections.mlmodel.sageMakerConnection import (  # noqa: E402
    SageMakerConnection,
)
from metadata.generated.schema.entity.services.connections.mlmodel.sklearnConnection import (  # noqa: E402
    SklearnConnection,
)
from metadata.generated.schema.entity.services.connections.mlmodel.vertexaiConnection import (  # noqa: E402
    VertexAIConnection,
)
from metadata.generated.schema.entity.teams.team import Team, TeamType  # noqa: E402
from metadata.generated.schema.entity.teams.user import User  # noqa: E402
from metadata.generated.schema.security.credentials.awsCredentials import AWSCredentials  # noqa: E402
from metadata.generated.schema.security.credentials.gcpCredentials import GCPCredentials  # noqa: E402
from metadata.generated.schema.security.credentials.gcpValues import GcpCredentialsValues  # noqa: E402
from metadata.generated.schema.type.entityReference import EntityReference  # noqa: E402
from metadata.generated.schema.type.entityReferenceList import EntityReferenceList  # noqa: E402

ML_SERVICE_CONFIGS = {
    "Mlflow": lambda: MlflowConnection(trackingUri="http://localhost:5000", registryUri="sqlite:///mlflow.db"),
    "Sklearn": lambda: SklearnConnection(),
    "CustomMlModel": lambda: CustomMlModelConnection(type=CustomMlModelType.CustomMlModel,
                                                     sourcePythonClass="my.module.Source"),
    "SageMaker": lambda: SageMakerConnection(awsConfig=AWSCredentials(awsRegion="us-east-1")),
    "VertexAI": lambda: VertexAIConnection(
        credentials=GCPCredentials(gcpConfig=GcpCredentialsValues(type="service_account", projectId="p")),
        location="us-central1"),
}


@pytest.mark.parametrize("service_type", sorted(ML_SERVICE_CONFIGS))
def test_a_service_of_each_ml_type_is_created_from_the_sdk_request(om, service_type):
    request = CreateMlModelServiceRequest(
        name=f"svc-{service_type.lower()}", serviceType=MlModelServiceType(service_type),
        connection=MlModelConnection(config=ML_SERVICE_CONFIGS[service_type]()))
    created = om.create_or_update(request)
    assert isinstance(created, MlModelService), created
    assert created.serviceType.value == service_type
    assert created.connection.config.type.value == service_type  # the default the SDK dropped, filled in
    assert created.owners is None and created.followers is None  # nothing set, nothing answered
    again = om.get_by_name(MlModelService, f"svc-{service_type.lower()}")
    assert again.id == created.id


def test_a_user_owns_a_model_read_with_and_without_owners_then_the_service_goes_recursively(om, service):
    alice = om.create_or_update(CreateUserRequest(name="alice", email="alice@example.com"))
    assert isinstance(alice, User) and alice.email.root == "alice@example.com"
    team = om.create_or_update(CreateTeamRequest(name="data-science", teamType=TeamType.Group,
                                                 users=[alice.id]))
    assert isinstance(team, Team) and [u.id for u in team.users.root] == [alice.id]
    assert om.get_by_name(User, "alice").id == alice.id

    owned = new_model("churn", owners=EntityReferenceList([EntityReference(id=alice.id, type="user")]))
    assert [(o.type, o.name) for o in owned.owners.root] == [("user", "alice")]
    assert owned.followers is None and owned.tags is None and owned.votes is None
    plain = MLModels.retrieve(owned.id.root)
    assert plain.owners is None  # the real server leaves out what was not asked for
    with_owners = MLModels.retrieve(owned.id.root, fields=["owners"])
    assert [o.id for o in with_owners.owners.root] == [alice.id]
    assert with_owners.owners.root[0].fullyQualifiedName == "alice"
    # fields=["*"], the SDK's way to ask for everything (the real server's EntityRepository.getFields).
    everything = om.get_by_name(entity=MlModel, fqn=f"{SERVICE}.churn", fields=["*"])
    assert [o.id for o in everything.owners.root] == [alice.id]
    assert om.get_by_id(entity=MlModelService, entity_id=service.id, fields=["*"]).id == service.id

    # Owners must exist: an unknown user is the real server's 404.
    with pytest.raises(APIError) as refused:
        om.create(CreateMlModelRequest(name="orphan", service=SERVICE, owners=EntityReferenceList(
            [EntityReference(id=str(uuid.uuid4()), type="user")])))
    assert refused.value.status_code == 404

    # A non-recursive delete of a service with models is refused; a recursive one takes them along.
    with pytest.raises(APIError) as not_empty:
        om.client.delete(f"/services/mlmodelServices/{service.id.root}?recursive=false&hardDelete=true")
    assert not_empty.value.status_code == 400
    om.delete(MlModelService, service.id, recursive=True, hard_delete=True)
    assert om.get_by_name(MlModelService, SERVICE) is None
    assert MLModels.retrieve(owned.id.root) is None
    assert om.get_by_name(User, "alice") is not None  # owners outlive what they owned
