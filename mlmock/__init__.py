"""mlmock: stateful mock servers and contract tests for ML model-management REST APIs.

``mlmock.spec`` holds the OpenAPI documents and their rules, ``mlmock.mockserver`` the mock,
``mlmock.contracts`` the contract suite (which never imports the mock).
"""

__version__ = "0.1.0"

# The token `mlmock serve` accepts unless told otherwise, and `mlmock check` sends by default.
DEFAULT_TOKEN = "mlmock-dev-token"

__all__ = ["DEFAULT_TOKEN", "__version__", "mock_openmetadata", "mock_wml"]


def __getattr__(name: str):
    # The in-process mocks (mlmock.inprocess), imported on first use: `import mlmock` stays cheap.
    if name in ("mock_openmetadata", "mock_wml"):
        from mlmock import inprocess

        return getattr(inprocess, name)
    raise AttributeError(f"module 'mlmock' has no attribute {name!r}")


# In a source checkout the subpackages live beside this directory (spec/, mockserver/, contracts/,
# mapped to mlmock.* by pyproject's package-dir). When the checkout's root is on sys.path ahead of
# an installed mlmock (``python -m pytest`` from the root), this directory is the one imported, so
# its subpackages are looked up beside it too. Installed, the condition is false and nothing changes.
def _source_checkout_root():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return root if (root / "mockserver" / "__init__.py").is_file() and (root / "pyproject.toml").is_file() else None


if (_root := _source_checkout_root()) is not None and str(_root) not in __path__:
    __path__.append(str(_root))
