"""The read-only WML platform catalogue the mock seeds: spaces, a project, an instance, and
software and hardware specifications with the names Cloud Pak for Data 5.0 to 5.2 and watsonx.ai
Runtime on Cloud offer (Python, R, TensorFlow, PyTorch, AutoAI, Spark, PMML, DO, AI services).

The official client looks specifications up by name (``runtime-24.1-py3.11``, ``S``), reads
``life_cycle`` to warn about deprecated runtimes, and needs a space or project to exist.
"""

from __future__ import annotations

import uuid

DEFAULT_SPACE_ID = "3fc54cf1-252f-424b-b52d-5cdd9814987f"
OTHER_SPACE_ID = "6c3f1a77-2e0b-4d3c-9f4e-8a1b2c3d4e5f"
DEFAULT_PROJECT_ID = "a77190a2-f52d-4f2a-be3d-7867b5f46edc"
CREATED = "2024-05-13T00:00:00.000Z"
SERVICE_VERSION = "5.0.0"

def _sid(name: str) -> str:
    """A stable asset id per specification name (the real ids differ per cluster)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mlmock:software_specification:{name}"))


SUPPORTED, DEPRECATED, CONSTRICTED = "supported", "deprecated", "constricted"

# (name, state, since, replacement, description): the base software specifications of Cloud Pak
# for Data 5.0, 5.1 and 5.2 and of watsonx.ai Runtime on Cloud, with their life cycle as a 5.0
# cluster (the version the mock reports) lists them; later runtimes are listed as available from
# the release that brought them, so a client of any of these releases finds its names.
_CATALOGUE = [
    # Python runtimes (scikit-learn, xgboost, lightgbm, snapml, Python functions and scripts)
    ("runtime-25.1-py3.12", SUPPORTED, "5.2", None, "Runtime 25.1 on Python 3.12"),
    ("runtime-24.1-py3.11", SUPPORTED, "5.0", None,
     "Runtime 24.1 on Python 3.11 (scikit-learn 1.3, xgboost 2.0, lightgbm 4.2, pandas 2.1)"),
    ("runtime-23.1-py3.10", DEPRECATED, "5.0", "runtime-24.1-py3.11", "Runtime 23.1 on Python 3.10"),
    ("runtime-24.1-py3.11-cuda", SUPPORTED, "5.0", None, "Runtime 24.1 on Python 3.11 with CUDA"),
    ("runtime-25.1-py3.12-cuda", SUPPORTED, "5.2", None, "Runtime 25.1 on Python 3.12 with CUDA"),
    # R runtimes and R Shiny
    ("runtime-24.1-r4.3", SUPPORTED, "5.0", None, "Runtime 24.1 on R 4.3"),
    ("runtime-23.1-r4.2", DEPRECATED, "5.0", "runtime-24.1-r4.3", "Runtime 23.1 on R 4.2"),
    ("shiny-r3.6", SUPPORTED, "4.8", None, "R Shiny applications on R 3.6"),
    # TensorFlow, PyTorch (with ONNX)
    ("tensorflow_rt25.1-py3.12", SUPPORTED, "5.2", None, "TensorFlow 2.18 on Runtime 25.1"),
    ("tensorflow_rt24.1-py3.11", SUPPORTED, "5.0", None, "TensorFlow 2.14 on Runtime 24.1"),
    ("tensorflow_rt23.1-py3.10", DEPRECATED, "5.0", "tensorflow_rt24.1-py3.11", "TensorFlow 2.12 on Runtime 23.1"),
    ("pytorch-onnx_rt25.1-py3.12", SUPPORTED, "5.2", None, "PyTorch 2.5 with ONNX on Runtime 25.1"),
    ("pytorch-onnx_rt24.1-py3.11", SUPPORTED, "5.0", None, "PyTorch 2.1 with ONNX on Runtime 24.1"),
    ("pytorch-onnx_rt23.1-py3.10", DEPRECATED, "5.0", "pytorch-onnx_rt24.1-py3.11",
     "PyTorch 2.0 with ONNX on Runtime 23.1"),
    ("pytorch-onnx_rt24.1-py3.11-edt", SUPPORTED, "5.0", None, "PyTorch 2.1 elastic distributed training"),
    ("tensorflow_rt24.1-py3.11-horovod", SUPPORTED, "5.0", None, "TensorFlow 2.14 distributed training (Horovod)"),
    # AutoAI (kb: classification and regression; ts: time series; tsad: time series anomalies)
    ("autoai-kb_rt25.1-py3.12", SUPPORTED, "5.2", None, "AutoAI on Runtime 25.1"),
    ("autoai-kb_rt24.1-py3.11", SUPPORTED, "5.0", None, "AutoAI on Runtime 24.1"),
    ("autoai-kb_rt23.1-py3.10", DEPRECATED, "5.0", "autoai-kb_rt24.1-py3.11", "AutoAI on Runtime 23.1"),
    ("autoai-ts_rt25.1-py3.12", SUPPORTED, "5.2", None, "AutoAI time series on Runtime 25.1"),
    ("autoai-ts_rt24.1-py3.11", SUPPORTED, "5.0", None, "AutoAI time series on Runtime 24.1"),
    ("autoai-ts_rt23.1-py3.10", DEPRECATED, "5.0", "autoai-ts_rt24.1-py3.11", "AutoAI time series on Runtime 23.1"),
    ("autoai-tsad_rt24.1-py3.11", SUPPORTED, "5.0", None, "AutoAI time series anomaly prediction on Runtime 24.1"),
    ("autoai-rag_rt24.1-py3.11", SUPPORTED, "5.1", None, "AutoAI RAG on Runtime 24.1"),
    # Spark MLlib
    ("spark-mllib_3.5", SUPPORTED, "5.2", None, "Spark 3.5 MLlib"),
    ("spark-mllib_3.4", SUPPORTED, "5.0", None, "Spark 3.4 MLlib"),
    ("spark-mllib_3.3", DEPRECATED, "5.0", "spark-mllib_3.4", "Spark 3.3 MLlib"),
    # PMML and Decision Optimization
    ("pmml-3.0_4.3", SUPPORTED, "4.0", None, "PMML 3.0 to 4.3 models (JPMML evaluator)"),
    ("do_22.1", SUPPORTED, "4.6", None, "Decision Optimization 22.1 (CPLEX, CP Optimizer, DOcplex)"),
    ("do_20.1", CONSTRICTED, "4.6", "do_22.1", "Decision Optimization 20.1"),
    # AI services (watsonx.ai)
    ("runtime-24.1-py3.11-ai-service", SUPPORTED, "5.1", None, "Runtime 24.1 for AI services"),
]


def _life_cycle(state: str, since: str, replacement: str | None) -> dict:
    cycle: dict = {state: {"since_version": since}}
    if state != SUPPORTED:
        cycle[f"{state}_since_version"] = since
    if replacement:
        cycle["replacement_name"] = replacement
    return cycle


_SOFTWARE = [(_sid(name), name, _life_cycle(state, since, replacement), text)
             for name, state, since, replacement, text in _CATALOGUE]
# The ids the mock has always given these two (tests and saved states refer to them).
_KEPT_IDS = {"runtime-24.1-py3.11": "45f12dfe-aa78-5b8d-9f38-0ee223c47309",
             "runtime-23.1-py3.10": "336b29df-e0e1-5e7d-b6a5-f6ab722625b2",
             "do_22.1": "ab9e1b80-f2ce-592c-a7d2-4f2344f77194",
             "tensorflow_rt24.1-py3.11": "1b70aec3-ab34-4b87-8aa0-a4a3c8296a36",
             "pytorch-onnx_rt24.1-py3.11": "12b83a17-24d8-5082-900f-0ab31fbfd3cb"}
_SOFTWARE = [(_KEPT_IDS.get(name, id_), name, life, text) for id_, name, life, text in _SOFTWARE]

_HARDWARE = [
    # (id, name, cpu units, memory)
    ("b128f957-581d-46d0-95b6-8af5cd5be580", "XXS", "1", "2Gi"),
    ("b3a4d8a8-5e0a-4b1e-9b2f-6f6f8a4b3c2d", "XS", "1", "4Gi"),
    ("e7ed1d6c-2e89-42d7-aed5-863b972c1d2b", "S", "2", "8Gi"),
    ("f3ebac7d-0a75-410c-8b48-a931428cc4c5", "M", "4", "16Gi"),
    ("a6c4923b-b8e4-444c-9f43-8a7ec3020110", "L", "8", "32Gi"),
    ("a079a3f8-d2d4-4f5f-ae0c-3c4e8a8a9d1f", "XL", "16", "64Gi"),
]
# GPU hardware specifications: (id, name, cpu units, memory, GPUs).
_GPU = [
    ("8a3b6c2e-1d4f-4b6a-9c3e-2f1a0b9c8d01", "K80", "4", "24Gi", 1),
    ("8a3b6c2e-1d4f-4b6a-9c3e-2f1a0b9c8d02", "K80x2", "8", "48Gi", 2),
    ("8a3b6c2e-1d4f-4b6a-9c3e-2f1a0b9c8d03", "V100", "8", "48Gi", 1),
    ("8a3b6c2e-1d4f-4b6a-9c3e-2f1a0b9c8d04", "V100x2", "16", "96Gi", 2),
]


def _space(space_id: str, name: str) -> dict:
    return {"metadata": {"id": space_id, "url": f"/v2/spaces/{space_id}", "created_at": CREATED,
                         "updated_at": CREATED, "creator_id": "admin"},
            "entity": {"name": name, "description": "Seeded by mlmock", "status": {"state": "active"},
                       "stage": {"production": False},
                       "members": [{"id": "admin", "type": "user", "role": "admin", "state": "active"}]}}


def documents() -> dict[str, list[dict]]:
    """Every catalogue document, by WML kind name."""
    software = [{
        "metadata": {"asset_id": id_, "name": name, "description": text, "asset_type": "software_specification",
                     "href": f"/v2/software_specifications/{id_}", "created_at": CREATED, "life_cycle": life},
        "entity": {"software_specification": {"type": "base", "display_name": name}},
    } for id_, name, life, text in _SOFTWARE]
    hardware = [{
        "metadata": {"asset_id": id_, "name": name, "description": f"{cpu} CPU and {mem} RAM",
                     "asset_type": "hardware_specification", "href": f"/v2/hardware_specifications/{id_}",
                     "created_at": CREATED},
        "entity": {"hardware_specification": {"name": name, "nodes": {"cpu": {"units": cpu}, "mem": {"size": mem},
                                                                      "num_nodes": 1}}},
    } for id_, name, cpu, mem in _HARDWARE] + [{
        "metadata": {"asset_id": id_, "name": name, "description": f"{gpus} GPU, {cpu} CPU and {mem} RAM",
                     "asset_type": "hardware_specification", "href": f"/v2/hardware_specifications/{id_}",
                     "created_at": CREATED},
        "entity": {"hardware_specification": {"name": name, "nodes": {"cpu": {"units": cpu}, "mem": {"size": mem},
                                                                      "gpu": {"num_gpu": gpus}, "num_nodes": 1}}},
    } for id_, name, cpu, mem, gpus in _GPU]
    return {
        "space": [_space(DEFAULT_SPACE_ID, "mlmock-space"), _space(OTHER_SPACE_ID, "mlmock-other-space")],
        "project": [{"metadata": {"guid": DEFAULT_PROJECT_ID, "url": f"/v2/projects/{DEFAULT_PROJECT_ID}",
                                  "created_at": CREATED, "updated_at": CREATED},
                     "entity": {"name": "mlmock-project", "description": "Seeded by mlmock",
                                "storage": {"type": "assetfiles", "guid": DEFAULT_PROJECT_ID}}}],
        "software_specification": software,
        "hardware_specification": hardware,
        "instance": [{"metadata": {"id": "openshift", "created_at": CREATED, "modified_at": CREATED},
                      "entity": {"name": "openshift", "status": "active",
                                 "plan": {"id": "cpd", "name": "Cloud Pak for Data", "version": 1}}}],
    }
