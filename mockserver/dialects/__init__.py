"""One module per API family; importing this package registers their actions."""

from . import openmetadata, wml  # noqa: F401
