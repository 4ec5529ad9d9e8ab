"""Import the mock without its dependencies' import-time warnings."""

from __future__ import annotations

import warnings


def import_mockserver():
    """``mlmock.mockserver``, imported without the two DeprecationWarnings connexion 3.3 (the latest
    release) raises on import by using jsonschema's ``RefResolver``: a dependency's own import, not
    something the user can act on, and no release of connexion avoids it (pinning jsonschema below
    4.18 would break openapi-core). Only those warnings, only during that import."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"connexion(\.|$)")
        from mlmock import mockserver
    return mockserver
