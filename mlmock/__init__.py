"""mlmock: stateful mock servers and contract tests for ML model-management REST APIs.

``mlmock.spec`` holds the OpenAPI documents and their rules, ``mlmock.mockserver`` the mock,
``mlmock.contracts`` the contract suite (which never imports the mock).
"""

__version__ = "0.1.0"

# The token `mlmock serve` accepts unless told otherwise, and `mlmock check` sends by default.
DEFAULT_TOKEN = "mlmock-dev-token"
