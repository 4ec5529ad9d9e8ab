"""Importing this package registers every rule."""

from . import auth, conflict, deletion, pagination, patch, schema  # noqa: F401
