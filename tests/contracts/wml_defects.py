"""WML defects: the correct mock wrapped so that it breaks exactly one rule each."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from asgi_defects import Defect, Exchange
from om_defects import AcceptsAnyToken, AnonymousReads, LimitedTokenServed

BY_ID = re.compile(r"^/ml/v4/[a-z_]+/[0-9a-f-]{36}$")


def _is_list(ex: Exchange) -> bool:
    return ex.method == "GET" and re.fullmatch(r"/ml/v4/[a-z_]+", ex.path) is not None


# ----------------------------------------------------------------------------- pagination


class NextLinkDropsScope(Defect):
    """Builds next.href from the path and start token only, losing space_id and the filters."""

    rule = "pagination.next-link-complete"

    def rewrite(self, ex, status, data):
        if _is_list(ex) and isinstance(data, dict) and "next" in data:
            url = urlsplit(data["next"]["href"])
            kept = [(k, v) for k, v in parse_qsl(url.query) if k in ("version", "start", "limit")]
            data["next"]["href"] = urlunsplit(url._replace(query=urlencode(kept)))
        return data


class NextOnLastPage(Defect):
    """Links the last page back to the first."""

    rule = "pagination.walk-forward"

    def rewrite(self, ex, status, data):
        if _is_list(ex) and isinstance(data, dict) and "first" in data and "next" not in data and data["resources"]:
            data["next"] = {"href": data["first"]["href"]}
        return data


class WmlIgnoresLimit(Defect):
    """Serves 100 per page whatever the client asks."""

    rule = "pagination.page-size"

    async def request(self, ex):
        limit = ex.param("limit")
        if _is_list(ex) and limit and limit.isdigit() and 1 <= int(limit) <= 200:
            ex.set_param("limit", "100")


class WmlClampsLimit(Defect):
    """Clamps limit into 1..200 instead of rejecting it."""

    rule = "pagination.limit-bounds"

    async def request(self, ex):
        limit = ex.param("limit")
        if _is_list(ex) and limit and limit.lstrip("-").isdigit():
            ex.set_param("limit", str(min(max(int(limit), 1), 200)))


class TotalCountIsPageSize(Defect):
    """Reports the page's length as total_count."""

    rule = "pagination.total"

    def rewrite(self, ex, status, data):
        if _is_list(ex) and isinstance(data, dict) and "total_count" in data:
            data["total_count"] = len(data["resources"])
        return data


class FiltersIgnored(Defect):
    """Ignores tag.value and asset_id."""

    rule = "pagination.filter"

    async def request(self, ex):
        if _is_list(ex):
            ex.set_param("tag.value", None)
            ex.set_param("asset_id", None)


# ----------------------------------------------------------------------------- patch


def _patch(ex: Exchange) -> bool:
    return ex.method == "PATCH" and BY_ID.match(ex.path) is not None


class UndocumentedPatchIgnored(Defect):
    """Answers 200 to a patch of an undocumented path, ignoring it."""

    rule = "patch.undocumented-rejected"

    async def request(self, ex):
        if _patch(ex):
            status, headers, body = await self.call(ex)
            if status == 400 and b"not allowed" in body:
                return await self.get_entity(ex, ex.path, **dict(ex.query))
            return status, headers, body  # already sent: passing it on would apply it twice


class WmlPatchIgnored(Defect):
    """Answers 200 with the current resource without applying the patch."""

    rule = "patch.documented-ops-applied"

    async def request(self, ex):
        if _patch(ex) and isinstance(ex.json(), list):
            return await self.get_entity(ex, ex.path, **dict(ex.query))


class WmlNonAtomicPatch(Defect):
    """Applies operations one at a time, keeping those before a failing one."""

    rule = "patch.failed-op-atomic"

    async def request(self, ex):
        ops = ex.json()
        if _patch(ex) and isinstance(ops, list) and len(ops) > 1:
            return await self.apply_one_at_a_time(ex)


# ----------------------------------------------------------------------------- conflict, versioning


class ServingNamesNotUnique(Defect):
    """Lets two online deployments share a serving name."""

    rule = "conflict.duplicate-create"

    async def request(self, ex):
        body = ex.json()
        if ex.method == "POST" and ex.path == "/ml/v4/deployments" and isinstance(body, dict):
            name = body.get("online", {}).get("parameters", {}).get("serving_name")
            if name:
                seen = self.memory.setdefault("names", {})
                seen[name] = seen.get(name, 0) + 1
                if seen[name] > 1:
                    body["online"]["parameters"]["serving_name"] = f"{name[:30]}_{seen[name]}"
                    ex.body = json.dumps(body).encode()


class ProbeAlwaysFree(Defect):
    """The serving-name probe answers 204 whatever is deployed."""

    rule = "conflict.availability-probe"

    async def request(self, ex):
        if _is_list(ex) and ex.param("conflict") == "true":
            return 204, b""


class VersionOptional(Defect):
    """Defaults a missing or malformed version date instead of refusing it."""

    rule = "versioning.version-required"

    async def request(self, ex):
        version = ex.param("version")
        if ex.path.startswith("/ml/v4/") and (version is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", version)):
            ex.set_param("version", "2024-05-01")


class RevisionsFollowHead(Defect):
    """Ignores rev=N and answers the current resource."""

    rule = "versioning.revisions-immutable"

    async def request(self, ex):
        if ex.method == "GET" and BY_ID.match(ex.path) and ex.param("rev"):
            ex.set_param("rev", None)


# ----------------------------------------------------------------------------- lifecycle, isolation, deletion


class LegacyDeploymentStates(Defect):
    """Reports the v3 state DEPLOY_SUCCESS instead of ready."""

    rule = "lifecycle.documented-transitions"

    def rewrite(self, ex, status, data):
        if ex.method == "GET" and isinstance(data, dict):
            state = data.get("entity", {}).get("status", {})
            if isinstance(state, dict) and state.get("state") == "ready":
                state["state"] = "DEPLOY_SUCCESS"
        return data


class SpaceLeak(Defect):
    """Finds a resource by id in any space it has seen."""

    rule = "isolation.other-space"

    async def request(self, ex):
        space = ex.param("space_id")
        if space:
            self.memory.setdefault("spaces", set()).add(space)
        if BY_ID.match(ex.path) and space:
            answer = await self.call(ex)
            for other in self.memory["spaces"] - {space}:
                if answer[0] != 404:
                    break
                ex.set_param("space_id", other)
                answer = await self.call(ex)
            return answer


class CancelDeletes(Defect):
    """Deletes a deployment job outright when asked to cancel it."""

    rule = "deletion.cancel-keeps"

    async def request(self, ex):
        if ex.method == "DELETE" and ex.path.startswith("/ml/v4/deployment_jobs/"):
            ex.set_param("hard_delete", "true")


class HardDeleteCancelsOnly(Defect):
    """Treats hard_delete=true as a cancel."""

    rule = "deletion.hard-delete-removes"

    async def request(self, ex):
        if ex.method == "DELETE":
            ex.set_param("hard_delete", None)


class DeleteIsNoop(Defect):
    """Answers 204 to a delete without deleting."""

    rule = "deletion.delete-removes"

    async def request(self, ex):
        if ex.method == "DELETE" and BY_ID.match(ex.path) and "/deployment_jobs/" not in ex.path \
                and "/trainings/" not in ex.path:
            return 204, b""


# ----------------------------------------------------------------------------- schema


class ListWithoutFirst(Defect):
    """Leaves the required `first` link out of list pages."""

    rule = "schema.positive"

    def rewrite(self, ex, status, data):
        if _is_list(ex) and isinstance(data, dict):
            data.pop("first", None)
        return data


class WmlLenientQuery(Defect):
    """Ignores a limit it cannot parse instead of refusing it."""

    rule = "schema.negative"

    async def request(self, ex):
        limit = ex.param("limit")
        if limit is not None and not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= 200):
            ex.set_param("limit", None)


DEFECTS = [AcceptsAnyToken, AnonymousReads, LimitedTokenServed, NextLinkDropsScope, NextOnLastPage,
           WmlIgnoresLimit, WmlClampsLimit,
           TotalCountIsPageSize, FiltersIgnored, UndocumentedPatchIgnored, WmlPatchIgnored, WmlNonAtomicPatch,
           ServingNamesNotUnique, ProbeAlwaysFree, VersionOptional, RevisionsFollowHead, LegacyDeploymentStates,
           SpaceLeak, CancelDeletes, HardDeleteCancelsOnly, DeleteIsNoop, ListWithoutFirst, WmlLenientQuery]


# ----------------------------------------------------------------------------- scope, status (issue 15)


def _scoped_call(ex: Exchange) -> bool:
    return ex.path.startswith("/ml/v4/") and not ex.path.startswith("/ml/v4/instances") \
        and ex.method in ("GET", "PATCH", "DELETE")


class GuessesSpace(Defect):
    """Answers a call without space_id or project_id in the caller's last space instead of refusing it."""

    rule = "isolation.scope-required"

    async def request(self, ex):
        space = ex.param("space_id")
        if space:
            self.memory["space"] = space
        elif _scoped_call(ex) and not ex.param("project_id") and self.memory.get("space"):
            ex.set_param("space_id", self.memory["space"])


class ListsMixSpaces(Defect):
    """A list of one space also holds the resources of every other space it has seen."""

    rule = "isolation.lists-one-scope"

    async def request(self, ex):
        space = ex.param("space_id")
        seen = self.memory.setdefault("spaces", [])
        if space and space not in seen:
            seen.append(space)
        if not (_is_list(ex) and space and ex.param("start") is None):
            return None
        status, headers, body = await self.call(ex)
        if status != 200:
            return status, headers, body
        data = json.loads(body)
        for other in seen:
            if other != space and isinstance(data.get("resources"), list):
                ex.set_param("space_id", other)
                more = await self.call(ex)
                if more[0] == 200:
                    data["resources"] += json.loads(more[2]).get("resources", [])
        return status, headers, json.dumps(data).encode()


class DeleteAnswers200(Defect):
    """Deletes and answers 200 with a JSON body (documented: 204 No Content)."""

    rule = "status.delete"

    async def response(self, ex, status, body):
        if ex.method == "DELETE" and status == 204:
            return 200, json.dumps({"status": "deleted"}).encode()
        return status, body


class CreateAnswersWithoutEntity(Defect):
    """Creates, and answers only the new resource's metadata (documented: metadata and entity)."""

    rule = "status.create"

    def rewrite(self, ex, status, data):
        if ex.method == "POST" and status in (201, 202) and re.fullmatch(r"/ml/v4/[a-z_]+", ex.path) \
                and isinstance(data, dict):
            data.pop("entity", None)
        return data


class PatchAnswersWithoutEntity(Defect):
    """Applies a patch but answers only the resource's metadata (documented: the patched resource)."""

    rule = "status.patch"

    def rewrite(self, ex, status, data):
        if _patch(ex) and 200 <= status < 300 and isinstance(data, dict):
            data.pop("entity", None)
        return data


DEFECTS += [GuessesSpace, ListsMixSpaces, DeleteAnswers200, CreateAnswersWithoutEntity, PatchAnswersWithoutEntity]


class VersionOnlyOnLists(Defect):
    """Checks the version date on lists only: a get, patch or delete without one is served."""

    rule = "versioning.version-on-every-call"

    async def request(self, ex):
        version = ex.param("version")
        by_id = BY_ID.match(ex.path) or ex.path.endswith("/revisions")
        if by_id and (version is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", version)):
            ex.set_param("version", "2024-05-01")


class RevisionsListNewestOnly(Defect):
    """Lists only the newest revision of a resource."""

    rule = "versioning.revisions-listed"

    def rewrite(self, ex, status, data):
        if ex.method == "GET" and ex.path.endswith("/revisions") and isinstance(data, dict) \
                and isinstance(data.get("resources"), list) and data["resources"]:
            data["resources"] = data["resources"][:1]  # newest first
        return data


DEFECTS += [VersionOnlyOnLists, RevisionsListNewestOnly]


class RevisionsOfUnknownIdEmpty(Defect):
    """Lists the revisions of a resource that does not exist as an empty page instead of 404."""

    rule = "deletion.unknown-id"

    async def response(self, ex, status, body):
        if ex.method == "GET" and ex.path.endswith("/revisions") and status == 404:
            page = {"limit": 100, "first": {"href": f"{ex.path}?version={ex.param('version')}"}, "resources": []}
            return 200, json.dumps(page).encode()
        return status, body


DEFECTS += [RevisionsOfUnknownIdEmpty]


class PatchIgnoresTakenServingName(Defect):
    """Answers a patch to a serving name another deployment holds with the deployment unchanged, not 409."""

    rule = "conflict.patch-unique"

    async def request(self, ex):
        ops = ex.json()
        if _patch(ex) and isinstance(ops, list) and any(
                isinstance(o, dict) and "serving_name" in str(o.get("path") or "") for o in ops):
            status, headers, body = await self.call(ex)
            if status == 409:
                return await self.get_entity(ex, ex.path, **dict(ex.query))
            return status, headers, body


DEFECTS += [PatchIgnoresTakenServingName]


class ListedSpecificationsUnreadable(Defect):
    """Lists software and hardware specifications whose ids its own GET by id does not find."""

    rule = "status.listed-reads"

    async def response(self, ex, status, body):
        if ex.method == "GET" and re.fullmatch(r"/v2/(software|hardware)_specifications/[^/]+", ex.path) \
                and status == 200:
            error = {"trace": "x", "errors": [{"code": "does_not_exist", "message": "not found"}]}
            return 404, json.dumps(error).encode()
        return status, body


DEFECTS += [ListedSpecificationsUnreadable]


# ----------------------------------------------------------------------------- content (issue 10)

CONTENT = re.compile(r"^/ml/v4/[a-z_]+/[^/]+/(content|code|model)$")


class UploadDecodedAsText(Defect):
    """Reads an archive upload (zip, gzip, octet-stream) as UTF-8 text: invalid bytes are replaced, so the
    archive downloads mangled."""

    rule = "content.round-trip"

    async def request(self, ex):
        if ex.method == "PUT" and CONTENT.match(ex.path) and not ex.headers.get("content-type", "").startswith(
                "application/json"):
            ex.body = ex.body.decode("utf-8", "replace").encode()


class JsonUploadParsed(Defect):
    """Parses an upload declared application/json as JSON, refusing the model tarball the official client sends
    that way with 400."""

    rule = "content.bytes-whatever-type"

    async def request(self, ex):
        if ex.method == "PUT" and CONTENT.match(ex.path) and ex.headers.get("content-type", "").startswith(
                "application/json") and ex.json() is None:
            error = {"trace": "x", "errors": [{"code": "malformed_json", "message": "the body is not valid JSON"}]}
            return 400, json.dumps(error).encode()


DEFECTS += [UploadDecodedAsText, JsonUploadParsed]


# ----------------------------------------------------------------------------- spaces (issue 10)


class UnknownSpaceListedEmpty(Defect):
    """Answers a list in a space that does not exist with an empty page instead of 404."""

    rule = "isolation.unknown-space"

    async def response(self, ex, status, body):
        if _is_list(ex) and status == 404 and b"space with id" in body:
            page = {"limit": 100, "first": {"href": f"{ex.path}?version={ex.param('version')}"}, "resources": [],
                    "total_count": 0}
            return 200, json.dumps(page).encode()
        return status, body


class SpaceDeleteOrphansAssets(Defect):
    """Deletes a space but not its assets: the asset view still serves them afterwards."""

    rule = "deletion.space-removes-assets"

    async def request(self, ex):
        status, headers, body = await self.call(ex)
        assets = self.memory.setdefault("assets", {})
        gone = self.memory.setdefault("deleted_spaces", set())
        match = re.fullmatch(r"/v2/assets/([^/]+)", ex.path)
        if ex.method == "GET" and match:
            if status == 200:
                assets[match.group(1)] = (status, headers, body)
            elif status == 404 and match.group(1) in assets:
                space = json.loads(assets[match.group(1)][2]).get("metadata", {}).get("space_id")
                if space in gone:
                    return assets[match.group(1)]
        space = re.fullmatch(r"/v2/spaces/([^/]+)", ex.path)
        if ex.method == "DELETE" and space and 200 <= status < 300:
            gone.add(space.group(1))
        return status, headers, body


DEFECTS += [UnknownSpaceListedEmpty, SpaceDeleteOrphansAssets]


# ----------------------------------------------------------------------------- members of a space (issue 15)


class MemberAddedTwice(Defect):
    """Answers an add of a member the space already has with 200, as if it were new, instead of 409."""

    rule = "status.space-members"

    async def response(self, ex, status, body):
        if ex.method == "POST" and re.fullmatch(r"/v2/spaces/[^/]+/members", ex.path) and status == 409:
            sent = ex.json() if isinstance(ex.json(), dict) else {}
            return 200, json.dumps({"members": sent.get("members", [])}).encode()
        return status, body


DEFECTS += [MemberAddedTwice]


# ----------------------------------------------------------------------------- scoring (issue 15)


class ServingNameNotScored(Defect):
    """Scores a deployment addressed by its id only: a prediction URL with its serving name answers 404."""

    rule = "status.scoring"

    async def response(self, ex, status, body):
        match = re.fullmatch(r"/ml/v4/deployments/([^/]+)/predictions", ex.path)
        if ex.method == "POST" and match and status == 200 and not re.fullmatch(r"[0-9a-f-]{36}", match.group(1)):
            error = {"trace": "x", "errors": [{"code": "deployment_not_found",
                                               "message": f"deployment '{match.group(1)}' does not exist"}]}
            return 404, json.dumps(error).encode()
        return status, body


DEFECTS += [ServingNameNotScored]


class AssetDeleteIsNoop(Defect):
    """Answers DELETE /v2/assets/{id} with 204 but deletes nothing: the model is still there."""

    rule = "status.asset-view"

    async def request(self, ex):
        if ex.method == "DELETE" and re.fullmatch(r"/v2/assets/[^/]+", ex.path):
            ex.method = "GET"  # looks the asset up (401 and 404 stay as the mock answers them), deletes nothing
            ex.set_param("purge_on_delete", None)
            status, headers, body = await self.call(ex)
            return (204, b"") if status == 200 else (status, headers, body)


DEFECTS += [AssetDeleteIsNoop]


class RunDeleteIgnoresUnknownRun(Defect):
    """Answers DELETE /v2/jobs/{job_id}/runs/{run_id} with 204 whether or not the run exists."""

    rule = "status.job-run-delete"

    async def response(self, ex, status, body):
        if ex.method == "DELETE" and re.fullmatch(r"/v2/jobs/[^/]+/runs/[^/]+", ex.path) and status == 404:
            return 204, b""
        return status, body


DEFECTS += [RunDeleteIgnoresUnknownRun]


# ----------------------------------------------------------------------------- errors (issue 15)


class TraceIgnoresHeader(Defect):
    """Gives every error a trace of its own making, ignoring the X-Global-Transaction-Id the client sent."""

    rule = "errors.trace-header"

    def rewrite(self, ex, status, data):
        if status >= 400 and isinstance(data, dict) and "trace" in data and "x-global-transaction-id" in ex.headers:
            data["trace"] = uuid.uuid4().hex
        return data


DEFECTS += [TraceIgnoresHeader]


# ----------------------------------------------------------------------------- projects and platform assets (issue 15)


class ProjectMembersPatchIgnored(Defect):
    """Answers the batch PATCH /v2/projects/{id}/members with 200 and the members as sent, but changes none."""

    rule = "status.project-flow"

    async def request(self, ex):
        sent = ex.json()
        if ex.method == "PATCH" and re.fullmatch(r"/v2/projects/[^/]+/members", ex.path) and isinstance(sent, dict):
            listed = await self.get_entity(ex, ex.path)
            if listed[0] != 200:
                return listed
            return 200, json.dumps({"members": sent.get("members", [])}).encode()


class AssetFileSignatureIgnored(Defect):
    """Serves the signed /v2/asset_files links whatever signature they carry: a forged one reads and writes."""

    rule = "status.asset-flow"

    async def request(self, ex):
        known = self.memory.setdefault("signatures", {})
        if re.fullmatch(r"/v2/asset_files/[^/]+/[^/]+", ex.path) and ex.param("signature") and ex.path in known:
            ex.set_param("signature", known[ex.path])

    def rewrite(self, ex, status, data):
        for key in ("url1", "url"):
            link = data.get(key) if isinstance(data, dict) else None
            if isinstance(link, str) and "signature=" in link:
                path, _, query = link.partition("?")
                self.memory.setdefault("signatures", {})[path] = dict(parse_qsl(query))["signature"]
        return data


DEFECTS += [ProjectMembersPatchIgnored, AssetFileSignatureIgnored]
