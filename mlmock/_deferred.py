"""Start-up of ``mlmock serve`` without the imports it never uses (issue 12).

connexion imports ``httpx`` (for OAuth token introspection, which the mock's specs do not declare)
and ``requests`` (for remote ``$ref`` documents, which the specs do not hold) at module level. The
two packages were about a quarter of the server's import time: ~0.15 s of a start-up measured at
0.8 s (``python -X importtime``, ``benchmarks/bench_startup.py``).

:func:`defer` puts a stand-in module in ``sys.modules`` that imports the real package on the
first attribute anyone reads from it, and from then on *is* that package (its namespace is
copied in, and ``sys.modules`` holds the real module). Unlike ``importlib.util.LazyLoader``,
a later ``import httpx`` elsewhere does not load it: on Python 3.11 the import system reads the
lazy module's ``__spec__``, which LazyLoader treats as a use (seen here with connexion).

Only the serve path calls it, before the mock is imported; a library user's process is left alone.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

UNUSED_BY_SERVE = ("httpx", "requests")


class Deferred(types.ModuleType):
    """A stand-in for a package not imported yet; the first attribute read imports it."""

    def __getattr__(self, attr: str):
        # Dunder lookups (``__spec__``, ``__path__``, ``__file__`` are set; others such as
        # ``__wrapped__`` or ``__getattr__`` probes by inspect and typing) must not import it.
        if attr.startswith("__") and attr.endswith("__") and attr not in ("__all__", "__version__"):
            raise AttributeError(attr)
        return getattr(self.load(), attr)

    def load(self) -> types.ModuleType:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        try:
            real = importlib.import_module(name)
        except BaseException:
            sys.modules.setdefault(name, self)
            raise
        self.__dict__.update(real.__dict__)  # a reference taken before the import now reads the real names
        return real


def defer(*names: str) -> list[str]:
    """Defer each named top-level package not imported yet; the names actually deferred."""
    deferred = []
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:  # not installed: leave the import to fail where it is written
            continue
        module = Deferred(name)
        module.__spec__ = spec
        module.__file__ = spec.origin
        module.__loader__ = spec.loader
        if spec.submodule_search_locations is not None:
            module.__path__ = list(spec.submodule_search_locations)  # `import httpx._client` still works
        sys.modules[name] = module
        deferred.append(name)
    return deferred
