"""The read-only WML platform catalogue the mock seeds: spaces, a project, an instance, and
software and hardware specifications with the names a Cloud Pak for Data 5.0 cluster offers.

The official client looks specifications up by name (``runtime-24.1-py3.11``, ``S``), reads
``life_cycle`` to warn about deprecated runtimes, and needs a space or project to exist.
"""

from __future__ import annotations

DEFAULT_SPACE_ID = "3fc54cf1-252f-424b-b52d-5cdd9814987f"
OTHER_SPACE_ID = "6c3f1a77-2e0b-4d3c-9f4e-8a1b2c3d4e5f"
DEFAULT_PROJECT_ID = "a77190a2-f52d-4f2a-be3d-7867b5f46edc"
CREATED = "2024-05-13T00:00:00.000Z"
SERVICE_VERSION = "5.0.0"

_SOFTWARE = [
    # (id, name, life cycle, description)
    ("45f12dfe-aa78-5b8d-9f38-0ee223c47309", "runtime-24.1-py3.11", {"supported": {"since": "5.0"}},
     "Runtime 24.1 on Python 3.11 (scikit-learn 1.3, xgboost 2.0, lightgbm 4.2, pandas 2.1)"),
    ("336b29df-e0e1-5e7d-b6a5-f6ab722625b2", "runtime-23.1-py3.10", {"deprecated": {"since": "5.0"}},
     "Runtime 23.1 on Python 3.10"),
    ("ab9e1b80-f2ce-592c-a7d2-4f2344f77194", "do_22.1", {"supported": {"since": "4.6"}},
     "Decision Optimization 22.1"),
    ("1b70aec3-ab34-4b87-8aa0-a4a3c8296a36", "tensorflow_rt24.1-py3.11", {"supported": {"since": "5.0"}},
     "TensorFlow 2.14 on Runtime 24.1"),
    ("12b83a17-24d8-5082-900f-0ab31fbfd3cb", "pytorch-onnx_rt24.1-py3.11", {"supported": {"since": "5.0"}},
     "PyTorch 2.1 with ONNX on Runtime 24.1"),
]

_HARDWARE = [
    # (id, name, cpu units, memory)
    ("b128f957-581d-46d0-95b6-8af5cd5be580", "XXS", "1", "2Gi"),
    ("b3a4d8a8-5e0a-4b1e-9b2f-6f6f8a4b3c2d", "XS", "1", "4Gi"),
    ("e7ed1d6c-2e89-42d7-aed5-863b972c1d2b", "S", "2", "8Gi"),
    ("f3ebac7d-0a75-410c-8b48-a931428cc4c5", "M", "4", "16Gi"),
    ("a6c4923b-b8e4-444c-9f43-8a7ec3020110", "L", "8", "32Gi"),
    ("a079a3f8-d2d4-4f5f-ae0c-3c4e8a8a9d1f", "XL", "16", "64Gi"),
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
    } for id_, name, cpu, mem in _HARDWARE]
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
