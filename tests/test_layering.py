"""Layering: the contract suite judges any server, so it never imports the mock.

``contracts/`` may import ``spec/`` (the shared vocabulary) and ``mlmock`` helpers that are not the
mock; ``mockserver`` is off limits, both in its source (checked with ``ast``, lazy imports
included) and in what importing its entry points loads (checked in a fresh interpreter).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"


def _imported_modules(path: Path, located: Path | None = None) -> list[tuple[int, str]]:
    """(line, module) of every import in ``path``, relative ones resolved as if it were ``located``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ["mlmock", *(located or path).relative_to(ROOT).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _is_mock(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "mockserver" or parts[:2] == ["mlmock", "mockserver"]


def test_no_contracts_module_imports_the_mock():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {module}"
                 for path in sorted(CONTRACTS.rglob("*.py"))
                 for line, module in _imported_modules(path) if _is_mock(module)]
    assert not offenders, "contracts/ must not import mockserver/:\n" + "\n".join(offenders)


def test_the_check_finds_a_mock_import(tmp_path):
    """The ast walk itself: absolute, relative and lazy imports of the mock are all seen."""
    probe = tmp_path / "probe.py"
    probe.write_text(textwrap.dedent("""
        def f():
            from mlmock.mockserver.tls import ensure_certificate
            from ...mockserver import engine
            import mockserver.store
        from ..spec import declarations
    """))
    modules = [m for _, m in _imported_modules(probe, located=CONTRACTS / "checks" / "probe.py")]
    assert [m for m in modules if _is_mock(m)][:3] == [
        "mlmock.mockserver.tls", "mlmock.mockserver.tls.ensure_certificate", "mlmock.mockserver"], modules


def test_importing_the_contract_entry_points_loads_no_mock_module():
    code = textwrap.dedent("""
        import sys
        import mlmock.contracts
        import mlmock.contracts.cli
        import mlmock.contracts.runner
        import mlmock.contracts.checks
        import mlmock.contracts.coverage
        import mlmock.contracts.passive.cli
        import mlmock.contracts.passive.judge
        loaded = sorted(m for m in sys.modules if m.startswith(("mlmock.mockserver", "mockserver")))
        print("\\n".join(loaded))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"importing the contract suite loaded the mock:\n{done.stdout}"


# The mock's own layers: ``core`` (storage, engine, dialect registry, errors) is the bottom;
# ``dialects`` build on ``core`` only; ``http`` (the connexion app) and ``devtools`` (control plane,
# journal, faults, seeding) sit on both, and ``server`` (``mlmock serve``) assembles everything.
MOCK = ROOT / "mockserver"
LAYER_MAY_NOT_IMPORT = {
    "core": ("http", "devtools", "dialects", "server"),
    "dialects": ("http", "devtools", "server"),
    "http": ("server",),
    "devtools": ("server",),
}
MAX_LINES = 400


def _mock_layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["mlmock", "mockserver"]:
        parts = parts[1:]
    return parts[1] if parts[0] == "mockserver" and len(parts) > 1 else None


def test_each_mock_layer_imports_only_the_layers_below_it():
    offenders = []
    for layer, forbidden in LAYER_MAY_NOT_IMPORT.items():
        for path in sorted((MOCK / layer).rglob("*.py")):
            offenders += [f"{path.relative_to(ROOT)}:{line}: {module}" for line, module in _imported_modules(path)
                          if _mock_layer(module) in forbidden]
    assert not offenders, "a mock layer imports one above it:\n" + "\n".join(offenders)


def test_the_mock_never_imports_the_contract_suite():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {module}"
                 for path in sorted(MOCK.rglob("*.py"))
                 for line, module in _imported_modules(path)
                 if module.split(".")[0] == "contracts" or module.split(".")[:2] == ["mlmock", "contracts"]]
    assert not offenders, "mockserver/ must not import contracts/:\n" + "\n".join(offenders)


def test_the_mock_layers_are_the_documented_ones():
    packages = sorted(p.name for p in MOCK.iterdir() if (p / "__init__.py").is_file())
    assert packages == sorted(LAYER_MAY_NOT_IMPORT), packages


def test_no_module_is_longer_than_the_limit():
    """Long modules hide their seams: split along them (a sub-package or sibling modules)."""
    long = [f"{path.relative_to(ROOT)}: {n} lines"
            for folder in ("mockserver", "contracts", "spec", "mlmock")
            for path in sorted((ROOT / folder).rglob("*.py"))
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not long, f"modules over {MAX_LINES} lines:\n" + "\n".join(long)


def test_every_package_is_listed_for_the_wheel():
    """pyproject lists packages by hand: a sub-package missing there is missing from the wheel."""
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {".".join([dotted, *init.parent.relative_to(ROOT / folder).parts])
             for dotted, folder in setup["package-dir"].items()
             for init in (ROOT / folder).rglob("__init__.py")}
    assert found - set(setup["packages"]) == set()
