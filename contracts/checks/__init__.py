"""Importing this package registers every rule."""

from . import auth, conflict, deletion, isolation, lifecycle, pagination, patch, schema, stateful, versioning  # noqa: F401,E501
