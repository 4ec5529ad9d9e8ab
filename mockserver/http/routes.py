"""The one routing table: which API, which operation and which methods a raw request path is.

Built once per app from the declarations it mounts, and shared by everything that needs to know
before (or beside) connexion's own routing: the app (the ``Allow`` header of a 405), the guard
(the dialect of its refusals, which uploads are bytes), the fault layer and the ``Prefer``
header (the dialect, the operation and its path parameters) and the journal (the API). APIs are
tried longest base path first, as starlette mounts them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mlmock.spec.declarations import ApiDeclaration, Operation

_PARAM = re.compile(r"\{([^{}]+)\}")
# The actions whose request body is an upload, taken as bytes whatever its Content-Type.
BYTES_ACTIONS = frozenset({"content-put", "file-put"})
# The dialect answering for a path when no API is mounted at all.
FALLBACK_DIALECT = "openmetadata"


@dataclass(frozen=True)
class Match:
    api: ApiDeclaration
    op: Operation
    params: dict[str, str]


def _pattern(path: str, segment: str) -> re.Pattern:
    parts, last = [], 0
    for found in _PARAM.finditer(path):
        parts.append(re.escape(path[last:found.start()]))
        parts.append(f"(?P<{_group(found.group(1))}>{segment})")
        last = found.end()
    parts.append(re.escape(path[last:]))
    return re.compile("".join(parts) + r"/?\Z")


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)


def _exact(full_path: str) -> re.Pattern:
    """The whole request path of an operation, one segment per parameter, no trailing slash."""
    return re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(full_path)) + "$")


class Routes:
    def __init__(self, apis: Mapping[str, ApiDeclaration]):
        self.apis = dict(apis)
        self._mounts = sorted(self.apis.values(), key=lambda d: len(d.base_path), reverse=True)
        # Most literal characters first, so that /mlmodels/name/{fqn} wins over /mlmodels/{id}.
        self._table: list[tuple[ApiDeclaration, Operation, re.Pattern, re.Pattern, list[str]]] = []
        for decl in self.apis.values():
            for op in sorted(decl.operations.values(), key=lambda o: -len(_PARAM.sub("", o.path))):
                names = _PARAM.findall(op.path)
                self._table.append((decl, op, _pattern(op.path, "[^/]+"), _pattern(op.path, ".+"), names))
        # Whole request paths (base path included) of every operation, for methods and uploads.
        self._exact = [(_exact(d.base_path + op.path), op) for d in self.apis.values() for op in d.operations.values()]
        self._uploads = [(pattern, op) for pattern, op in self._exact if op.action in BYTES_ACTIONS]

    def api_for(self, path: str) -> ApiDeclaration | None:
        """The API whose base path holds ``path`` (the root-mounted one last)."""
        for decl in self._mounts:
            base = decl.base_path
            if not base or path == base or path.startswith(base + "/"):
                return decl
        return None

    def _answering(self, path: str) -> ApiDeclaration | None:
        """The API answering for ``path``: the one holding it, else the root-mounted (or shortest)."""
        decl = self.api_for(path)
        return decl if decl is not None else (self._mounts[-1] if self._mounts else None)

    def dialect_for(self, path: str) -> str:
        """The dialect whose envelope answers for ``path`` (the root-mounted, else shortest, API's
        when no base path holds it)."""
        decl = self._answering(path)
        return decl.dialect if decl is not None else FALLBACK_DIALECT

    def echoed(self, path: str, headers: Mapping[str, str]) -> dict[str, str]:
        """{pointer: value}: where an error answer for ``path`` carries the request headers its API
        declares echoed (``x-mlmock-echoed-in``); ``headers`` keyed in lower case (or case-blind)."""
        decl = self._answering(path)
        found = ((h.pointer, headers.get(h.name.lower())) for h in (decl.echoed_headers if decl else ()))
        return {pointer: value for pointer, value in found if value is not None}

    def allowed(self, path: str) -> list[str]:
        """The methods some operation serves at exactly ``path`` (the ``Allow`` header of a 405)."""
        return sorted({op.method for pattern, op in self._exact if pattern.match(path)})

    def takes_bytes(self, method: str, path: str) -> bool:
        """Whether ``method path`` is an upload (content, attachment, code, archive): bytes whatever
        its Content-Type."""
        method = method.upper()
        return any(op.method == method and pattern.match(path) for pattern, op in self._uploads)

    def match(self, method: str, path: str) -> Match | None:
        """The operation serving ``method path``; path parameters may hold ``/`` as a last resort."""
        decl = self.api_for(path)
        if decl is None:
            return None
        rest = path[len(decl.base_path):] or "/"
        method = method.upper()
        for strict in (True, False):
            for owner, op, tight, loose, names in self._table:
                if owner is not decl or op.method != method:
                    continue
                found = (tight if strict else loose).match(rest)
                if found:
                    return Match(decl, op, {n: found.group(_group(n)) for n in names})
        return None
