"""OpenMetadata defects: the correct mock wrapped so that it breaks exactly one rule each."""

from __future__ import annotations

import json
import re
import uuid

from asgi_defects import Defect, Exchange

# ----------------------------------------------------------------------------- auth


class AcceptsAnyToken(Defect):
    """Checks that a bearer token is present, not that it is the right one."""

    rule = "auth.wrong-token"

    async def request(self, ex):
        if ex.headers.get("authorization", "").startswith("Bearer "):
            ex.headers["authorization"] = f"Bearer {self.token}"


class LimitedTokenServed(Defect):
    """Authenticates the limited user and then serves them as anyone else: no permission check."""

    rule = "auth.limited-token"
    limited = "limited"

    async def request(self, ex):
        if ex.headers.get("authorization") == f"Bearer {self.limited}":
            ex.headers["authorization"] = f"Bearer {self.token}"


class AnonymousReads(Defect):
    """Lets GET requests through without any token."""

    rule = "auth.missing-token"

    async def request(self, ex):
        if ex.method == "GET" and "authorization" not in ex.headers:
            ex.headers["authorization"] = f"Bearer {self.token}"


# ----------------------------------------------------------------------------- pagination


def _is_list(ex: Exchange) -> bool:
    return ex.method == "GET" and ex.path.rstrip("/") in ("/api/v1/mlmodels", "/api/v1/services/mlmodelServices")


class IgnoresLimit(Defect):
    """Serves a fixed page size whatever the client asks."""

    rule = "pagination.page-size"

    async def request(self, ex):
        if _is_list(ex) and ex.param("limit") is not None and ex.param("limit").isdigit():
            ex.set_param("limit", "50")


class ClampsLimit(Defect):
    """Silently clamps an out-of-range limit instead of rejecting it."""

    rule = "pagination.limit-bounds"

    async def request(self, ex):
        limit = ex.param("limit")
        if _is_list(ex) and limit is not None and limit.lstrip("-").isdigit():
            ex.set_param("limit", str(min(max(int(limit), 0), 1000000)))


class SkipsPageEdge(Defect):
    """Off by one at page boundaries: the last item of a non-final page is never served."""

    rule = "pagination.walk-forward"

    def rewrite(self, ex, status, data):
        if _is_list(ex) and status == 200 and data.get("paging", {}).get("after") and data["data"]:
            data["data"] = data["data"][:-1]
        return data


class BeforeIgnored(Defect):
    """Treats a `before` cursor as "first page"."""

    rule = "pagination.walk-backward"

    async def request(self, ex):
        if _is_list(ex) and ex.param("before"):
            ex.set_param("before", None)


class TotalIsPageSize(Defect):
    """Reports the page's length as the total."""

    rule = "pagination.total"

    def rewrite(self, ex, status, data):
        if _is_list(ex) and status == 200:
            data["paging"]["total"] = len(data["data"])
        return data


class FilterIgnored(Defect):
    """Drops the service filter."""

    rule = "pagination.filter"

    async def request(self, ex):
        if _is_list(ex):
            ex.set_param("service", None)


# ----------------------------------------------------------------------------- patch


def _patch_target(ex: Exchange) -> bool:
    return ex.method == "PATCH" and ex.path.startswith("/api/v1/mlmodels/")


class PatchIgnored(Defect):
    """Answers 200 with the current entity without applying the patch."""

    rule = "patch.documented-ops-applied"

    async def request(self, ex):
        if _patch_target(ex) and isinstance(ex.json(), list) and ex.json():
            return await self.get_entity(ex, ex.path)


class NonAtomicPatch(Defect):
    """Applies operations one at a time, keeping those before a failing one."""

    rule = "patch.failed-op-atomic"

    async def request(self, ex):
        ops = ex.json()
        if _patch_target(ex) and isinstance(ops, list) and len(ops) > 1:
            return await self.apply_one_at_a_time(ex)


class LenientPatch(Defect):
    """Ignores a patch it cannot parse and answers 200."""

    rule = "patch.malformed-rejected"

    async def request(self, ex):
        if _patch_target(ex):
            ops = ex.json()
            valid = isinstance(ops, list) and all(isinstance(o, dict) and "path" in o and o.get("op") in
                                                  ("add", "remove", "replace", "move", "copy", "test")
                                                  and ("value" in o or o["op"] in ("remove", "move", "copy"))
                                                  and ("from" in o or o["op"] not in ("move", "copy"))
                                                  for o in ops)
            if not valid:
                return await self.get_entity(ex, ex.path)


class NameWritable(Defect):
    """Lets a patch rename an entity (the real server keeps name immutable)."""

    rule = "patch.immutable-fields"

    async def request(self, ex):
        ops = ex.json()
        if _patch_target(ex) and isinstance(ops, list):
            for op in ops:
                if isinstance(op, dict) and op.get("path") == "/name" and op.get("op") == "replace":
                    self.memory[ex.path] = op.get("value")

    def rewrite(self, ex, status, data):
        if ex.method == "GET" and ex.path in self.memory and isinstance(data, dict) and "name" in data:
            data["name"] = self.memory[ex.path]
        return data


class TrustsClientVersion(Defect):
    """Stores the version a patch sends instead of computing it."""

    rule = "patch.server-fields-recomputed"

    async def request(self, ex):
        ops = ex.json()
        if _patch_target(ex) and isinstance(ops, list):
            for op in ops:
                if isinstance(op, dict) and op.get("path") == "/version":
                    self.memory[ex.path] = op.get("value")

    def rewrite(self, ex, status, data):
        if ex.path in self.memory and isinstance(data, dict) and "version" in data:
            data["version"] = self.memory[ex.path]
        return data


# ----------------------------------------------------------------------------- conflict


class PostUpserts(Defect):
    """Treats a POST of an existing name as an update."""

    rule = "conflict.duplicate-create"

    async def request(self, ex):
        if ex.method == "POST" and ex.path in ("/api/v1/mlmodels", "/api/v1/services/mlmodelServices"):
            ex.method = "PUT"
            status, headers, body = await self.call(ex)
            return (201 if status in (200, 201) else status), headers, body


class UpsertNewId(Defect):
    """Replaces the entity on upsert, giving it a new id."""

    rule = "conflict.upsert-keeps-id"

    def rewrite(self, ex, status, data):
        if ex.method == "PUT" and status == 200 and isinstance(data, dict) and "id" in data:
            data["id"] = str(uuid.uuid4())
        return data


class MinorOnlyVersions(Defect):
    """Bumps every change by 0.1, major fields included."""

    rule = "conflict.version-rules"

    def rewrite(self, ex, status, data):
        def fix(doc):
            if isinstance(doc, dict) and isinstance(doc.get("version"), float) and doc["version"] >= 1:
                doc["version"] = round(doc["version"] - 0.9, 1)
            return doc
        if isinstance(data, dict) and "versions" in data:
            data["versions"] = [json.dumps(fix(json.loads(v))) for v in data["versions"]]
        return fix(data)


# ----------------------------------------------------------------------------- deletion


class SoftDeleteVisible(Defect):
    """Keeps serving soft-deleted entities by id."""

    rule = "deletion.soft-delete-hides"

    async def request(self, ex):
        if ex.method == "GET" and ex.path.startswith("/api/v1/mlmodels/") and ex.param("include") is None:
            ex.set_param("include", "all")


class HardDeleteIsSoft(Defect):
    """Ignores hardDelete=true."""

    rule = "deletion.hard-delete-removes"

    async def request(self, ex):
        if ex.method == "DELETE":
            ex.set_param("hardDelete", None)


class RestoreNoop(Defect):
    """Answers 200 to a restore without restoring."""

    rule = "deletion.restore"

    async def request(self, ex):
        if ex.method == "PUT" and ex.path == "/api/v1/mlmodels/restore":
            body = ex.json() or {}
            return await self.get_entity(ex, f"/api/v1/mlmodels/{body.get('id')}", include="all")


# ----------------------------------------------------------------------------- schema


class LeaksInternalField(Defect):
    """Adds an undocumented key to entities (the official SDK rejects unknown keys)."""

    rule = "schema.positive"

    def rewrite(self, ex, status, data):
        if status == 200 and isinstance(data, dict) and "paging" in data:
            for item in data["data"]:
                item["_internalRowId"] = 1
            data["data"].append({"id": "not-a-uuid", "name": "x", "algorithm": "a"})
        return data


class LenientQuery(Defect):
    """Drops query values it cannot parse (bad enum, non-integer or negative limit, non-boolean flag)."""

    rule = "schema.negative"
    VALID = {
        "include": lambda v: v in ("all", "deleted", "non-deleted"),
        "limit": lambda v: v.isascii() and v.isdigit() and int(v) <= 1000000,
        "hardDelete": lambda v: v in ("true", "false"),
        "recursive": lambda v: v in ("true", "false"),
        "async": lambda v: v in ("true", "false"),
        "overrideMetadata": lambda v: v in ("true", "false"),
    }

    async def request(self, ex):
        ex.query = [(k, v) for k, v in ex.query if k not in self.VALID or self.VALID[k](v)]


DEFECTS = [AcceptsAnyToken, AnonymousReads, LimitedTokenServed, IgnoresLimit, ClampsLimit, SkipsPageEdge, BeforeIgnored,
           TotalIsPageSize, FilterIgnored, PatchIgnored, NonAtomicPatch, LenientPatch, NameWritable,
           TrustsClientVersion, PostUpserts, UpsertNewId, MinorOnlyVersions, SoftDeleteVisible,
           HardDeleteIsSoft, RestoreNoop, LeaksInternalField, LenientQuery]


# ----------------------------------------------------------------------------- provenance levels


class NoopUpsertTouches(Defect):
    """Moves updatedAt on an upsert that changes nothing: breaks a reading (24), not the reference."""

    rule = "conflict.version-rules"
    provenance = "reading"

    def rewrite(self, ex, status, data):
        if ex.method == "PUT" and status == 200 and isinstance(data, dict) and "updatedAt" in data:
            data["updatedAt"] += 1
        return data


class StartsAtOne(Defect):
    """New entities start at version 1.0: the reference says versions start at 0.1."""

    rule = "conflict.version-rules"
    provenance = "documented"

    def rewrite(self, ex, status, data):
        if ex.method in ("POST", "PUT") and status == 201 and isinstance(data, dict) and "version" in data:
            data["version"] = 1.0
        return data


DEFECTS += [NoopUpsertTouches, StartsAtOne]


# ----------------------------------------------------------------------------- naming, status (issue 15)


def _is_model_path(ex: Exchange) -> bool:
    return ex.path.startswith("/api/v1/mlmodels")


def _each_entity(data, change):
    """Apply ``change`` to every entity in an answer: the entity, list items, listed versions."""
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data["data"] = [change(item) if isinstance(item, dict) else item for item in data["data"]]
    elif isinstance(data, dict) and isinstance(data.get("versions"), list):
        data["versions"] = [json.dumps(change(json.loads(v))) for v in data["versions"]]
    elif isinstance(data, dict):
        data = change(data)
    return data


class BareNameFqn(Defect):
    """Reports an ML model's bare name as its fullyQualifiedName instead of service.name."""

    rule = "naming.fqn-composition"

    def rewrite(self, ex, status, data):
        def bare(doc):
            if "fullyQualifiedName" in doc and "service" in doc and isinstance(doc.get("name"), str):
                doc["fullyQualifiedName"] = doc["name"]
            return doc
        return _each_entity(data, bare) if _is_model_path(ex) else data


class UnquotedFqn(Defect):
    """Joins names with dots without quoting a name that holds one (svc.p.m.v instead of "svc.p"."m.v")."""

    rule = "naming.fqn-composition"

    def rewrite(self, ex, status, data):
        def unquoted(doc):
            if isinstance(doc.get("fullyQualifiedName"), str) and "service" in doc:
                doc["fullyQualifiedName"] = doc["fullyQualifiedName"].replace('"', "")
            return doc
        return _each_entity(data, unquoted) if _is_model_path(ex) else data


class BulkResultWithoutStatus(Defect):
    """Answers a bulk upsert without the documented `status` of the operation."""

    rule = "status.create"

    def rewrite(self, ex, status, data):
        if ex.method == "PUT" and ex.path == "/api/v1/mlmodels/bulk" and isinstance(data, dict):
            data.pop("status", None)
        return data


class PatchAnswerLeaksField(Defect):
    """Answers a patch with the entity plus an undocumented `_etag` key (the SDK rejects unknown keys)."""

    rule = "status.patch"

    def rewrite(self, ex, status, data):
        if _patch_target(ex) and status == 200 and isinstance(data, dict):
            data["_etag"] = "W/1"
        return data


class DeleteAnswers204(Defect):
    """Deletes and answers 204 with no body (documented: 200 with the deleted entity)."""

    rule = "status.delete"

    async def response(self, ex, status, body):
        if ex.method == "DELETE" and status == 200:
            return 204, b""
        return status, body


class HrefToCollection(Defect):
    """Links an entity's href to its collection instead of to itself."""

    rule = "status.href"

    def rewrite(self, ex, status, data):
        def collection(doc):
            if isinstance(doc.get("href"), str) and "id" in doc:
                doc["href"] = doc["href"].rsplit("/", 1)[0]
            return doc
        return _each_entity(data, collection)


DEFECTS += [BareNameFqn, UnquotedFqn, BulkResultWithoutStatus, PatchAnswerLeaksField, DeleteAnswers204,
            HrefToCollection]


class ServiceTypeNotCopied(Defect):
    """Does not copy the service's type: an ML model reports another serviceType than its service's."""

    rule = "naming.parent-copies"

    def rewrite(self, ex, status, data):
        def fixed(doc):
            if "serviceType" in doc and "service" in doc:
                doc["serviceType"] = "Mlflow" if doc["serviceType"] != "Mlflow" else "Sklearn"
            return doc
        return _each_entity(data, fixed) if _is_model_path(ex) else data


DEFECTS += [ServiceTypeNotCopied]


# ----------------------------------------------------------------------------- relations (issue 10)

SERVICE = re.compile(r"^/api/v1/services/mlmodelServices/[0-9a-f-]{36}$")
REFERENCING = ("owners", "users", "teams")


class DeletesNonEmptyService(Defect):
    """Deletes a service that still holds ML models without recursive=true, taking the models along."""

    rule = "deletion.non-empty-parent"

    async def request(self, ex):
        if ex.method == "DELETE" and SERVICE.match(ex.path) and ex.param("recursive") is None:
            ex.set_param("recursive", "true")


class DropsUnknownOwners(Defect):
    """Creates the entity without the owners (team users, user teams) it cannot find instead of answering 404."""

    rule = "references.unknown-owner"

    async def request(self, ex):
        body = ex.json()
        if ex.method not in ("POST", "PUT") or not isinstance(body, dict) or not any(body.get(k) for k in REFERENCING):
            return None
        status, headers, answer = await self.call(ex)
        if status != 404:
            return status, headers, answer
        ex.body = json.dumps({k: v for k, v in body.items() if k not in REFERENCING}).encode()
        return await self.call(ex)


DEFECTS += [DeletesNonEmptyService, DropsUnknownOwners]
