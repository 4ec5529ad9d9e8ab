"""Before any rule runs: is this the API, reachable, over trusted TLS, with a token it accepts?

Each failure ends the run with exit 2 and one line (:class:`~.target.CannotRun`), instead of
hundreds of rule failures that blame the server for the suite's own situation.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mlmock.spec.declarations import ApiDeclaration, Operation

from .target import CannotRun, Target, TlsFailure, Unreachable

# What users append to the server root by mistake: the API's own base paths.
API_PREFIXES = ("/api/v1", "/ml/v4", "/api")


def probe_operations(api: ApiDeclaration) -> list[Operation]:
    """The API's own lists of its kinds: paged lists whose only required query is `version`."""
    found = []
    for op in api.operations.values():
        if op.action != "list" or "{" in op.path or op.kind is None:
            continue
        required = {p["name"] for p in op.parameters if p["in"] == "query" and p.get("required")}
        kind = api.kinds[op.kind]
        if required <= {"version"} and kind.pagination is not None and api.operation(kind.name, "create"):
            found.append(op)
    return found or [next(op for op in api.operations.values() if op.action == "list")]


def _json(response) -> object | None:
    try:
        return response.json()
    except ValueError:
        return None


def check(api: ApiDeclaration, target: Target, *, space: str | None, api_version: str) -> None:
    """Raise :class:`CannotRun` with one clear line unless the target looks like ``api``.

    The API's lists are tried in the spec's order until one is served (a partial implementation
    need not serve the first); the verdict is on the first answer when none is.
    """
    first = None
    for op in probe_operations(api):
        verdict = _probe(api, target, op, space, api_version)
        if verdict is None:
            return
        first = first or verdict
        if not verdict.framework_404:
            break
    raise first


def _probe(api: ApiDeclaration, target: Target, op: Operation, space: str | None,
           api_version: str) -> CannotRun | None:
    try:
        _judge(api, target, op, space, api_version)
    except CannotRun as error:
        return error
    return None


def _judge(api: ApiDeclaration, target: Target, op: Operation, space: str | None, api_version: str) -> None:
    params: dict[str, str] = {}
    if op.parameter("version"):
        params["version"] = api_version
    if space and op.parameter("space_id"):
        params["space_id"] = space
    path = api.base_path.rstrip("/") + op.path
    base = target.base_url
    try:
        response = target.request(op.method, path, params=params or None)
    except TlsFailure as error:
        raise CannotRun(f"TLS failure at {base} ({_short(error)}): pass --ca-bundle PATH to trust its "
                        f"certificate, or --tls-verify false to skip verification") from None
    except Unreachable as error:
        raise CannotRun(f"cannot reach {base}: {_short(error)}") from None
    where = f"{op.method} {path}"
    body = _json(response)
    if response.status_code in (401, 403):
        raise CannotRun(f"the target refused the credentials ({response.status_code} on {where}): check --token, "
                        f"or --username and --api-key")
    if response.status_code in (404, 405):
        prefix = urlsplit(base).path.rstrip("/")
        for appended in API_PREFIXES:
            if prefix.endswith(appended):
                fixed = base[: len(base) - len(appended)] if base.endswith(appended) else base
                raise CannotRun(f"no {api.name} API at {base} ({where} answered {response.status_code}): "
                                f"--base-url is the server root, try --base-url {fixed.rstrip('/')}")
        if body is None:
            error = CannotRun(f"{base} is not the {api.name} API: {where} answered {response.status_code} "
                              f"{response.headers.get('content-type', 'without a content type')}")
            error.framework_404 = True
            raise error
        raise CannotRun(f"no {api.name} API at {base}: {where} answered {response.status_code}")
    if body is None or not isinstance(body, dict):
        raise CannotRun(f"{base} is not the {api.name} API: {where} answered {response.status_code} "
                        f"{response.headers.get('content-type', 'without a content type')}, not JSON")
    if response.status_code >= 500:
        raise CannotRun(f"the target fails on its first request ({where} answered {response.status_code})")


def _short(error: Exception) -> str:
    text = str(error)
    return text if len(text) < 160 else text[:160] + "..."
