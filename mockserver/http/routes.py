"""Which API and which operation of its spec a raw request path is for.

The layers in front of connexion (journal, faults, the ``Prefer`` header) see bare ASGI scopes;
this table, built from the same declarations the app mounts, tells them the API (longest base
path first, as starlette mounts them) and the operation with its path parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mlmock.spec.declarations import ApiDeclaration, Operation

_PARAM = re.compile(r"\{([^{}]+)\}")


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

    def api_for(self, path: str) -> ApiDeclaration | None:
        """The API whose base path holds ``path`` (the root-mounted one last)."""
        for decl in self._mounts:
            base = decl.base_path
            if not base or path == base or path.startswith(base + "/"):
                return decl
        return None

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
