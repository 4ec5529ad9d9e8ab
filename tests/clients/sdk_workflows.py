"""One short workflow per official SDK, against whatever base URL it is given: the same code runs
against the live-server fixtures and the in-process mocks (tests/clients/test_sdk_inprocess.py) and is
timed by benchmarks/bench_inprocess.py.

Each returns what it read back, for the caller to check.
"""

from __future__ import annotations

import io
import tarfile
import time
import warnings
from pathlib import Path


def openmetadata_workflow(root_url: str, token: str, name: str = "churn") -> dict:
    """Register an ML model with the OpenMetadata SDK: configure, create the service, create the
    model, read it back by name, list, delete."""
    import metadata.sdk as sdk
    from metadata.generated.schema.api.data.createMlModel import CreateMlModelRequest
    from metadata.generated.schema.api.services.createMlModelService import CreateMlModelServiceRequest
    from metadata.generated.schema.entity.data.mlmodel import MlModel
    from metadata.generated.schema.entity.services.connections.mlmodel.mlflowConnection import MlflowConnection
    from metadata.generated.schema.entity.services.mlmodelService import MlModelConnection, MlModelServiceType
    from metadata.sdk import MLModels

    sdk.reset()
    client = sdk.configure(host=root_url + "/api", jwt_token=token)
    MLModels.use_client(client)
    try:
        client.ometa.create_or_update(CreateMlModelServiceRequest(
            name="mlflow_svc", serviceType=MlModelServiceType.Mlflow,
            connection=MlModelConnection(config=MlflowConnection(trackingUri="http://localhost:5000",
                                                                 registryUri="sqlite:///mlflow.db"))))
        created = MLModels.create(CreateMlModelRequest(name=name, service="mlflow_svc", algorithm="xgboost"))
        read = client.ometa.get_by_name(entity=MlModel, fqn=f"mlflow_svc.{name}")
        listed = [m.name.root for m in client.ometa.list_all_entities(entity=MlModel)]
        client.ometa.delete(entity=MlModel, entity_id=created.id.root, hard_delete=True)
        after = client.ometa.get_by_name(entity=MlModel, fqn=f"mlflow_svc.{name}")
        return {"created": created, "read": read, "listed": listed, "after_delete": after}
    finally:
        sdk.reset()


def _archive() -> bytes:
    payload = b"mlmock in-process workflow model\n" * 8
    info = tarfile.TarInfo("model.pkl")
    info.size = len(payload)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


class _NoSleep:
    def __getattr__(self, name):
        return (lambda seconds: None) if name == "sleep" else getattr(time, name)


def wml_workflow(root_url: str, username: str, api_key: str, space_id: str, tmp_dir: Path,
                 verify: bool = False) -> dict:
    """Store a model and deploy it with the IBM client (CPD credentials): construct the client,
    store the model with its archive, deploy it online, score, delete the deployment and the model."""
    import ibm_watsonx_ai.deployments as ibm_deployments
    from ibm_watsonx_ai import APIClient, Credentials

    real_time, ibm_deployments.time = ibm_deployments.time, _NoSleep()  # the client sleeps 5 s per poll
    path = Path(tmp_dir) / "model.tar.gz"
    path.write_bytes(_archive())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # instance_id deprecation, version notices
            client = APIClient(Credentials(url=root_url, username=username, api_key=api_key,
                                           instance_id="openshift", version="5.0", verify=verify),
                               space_id=space_id)
        meta = client.repository.ModelMetaNames
        sw_spec = client.software_specifications.get_id_by_name("runtime-24.1-py3.11")
        stored = client.repository.store_model(model=str(path), meta_props={
            meta.NAME: "churn", meta.TYPE: "scikit-learn_1.3", meta.SOFTWARE_SPEC_ID: sw_spec})
        model_id = client.repository.get_model_id(stored)
        dmeta = client.deployments.ConfigurationMetaNames
        hw_spec = client.hardware_specifications.get_id_by_name("S")
        deployment = client.deployments.create(model_id, {dmeta.NAME: "churn-online", dmeta.ONLINE: {},
                                                          dmeta.HARDWARE_SPEC: {"id": hw_spec}})
        deployment_id = client.deployments.get_id(deployment)
        scored = client.deployments.score(deployment_id, {"input_data": [{"fields": ["a"], "values": [[1], [2]]}]})
        client.deployments.delete(deployment_id)
        client.repository.delete(model_id)
        models_after = client.repository.get_model_details(limit=10)["resources"]
        client.httpx_client.close()
        return {"model_id": model_id, "deployment": deployment, "scored": scored, "models_after": models_after}
    finally:
        ibm_deployments.time = real_time
