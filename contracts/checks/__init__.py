"""Importing this package registers every rule."""

from . import (  # noqa: F401,E501
    auth,
    conflict,
    content,
    deletion,
    isolation,
    lifecycle,
    naming,
    pagination,
    patch,
    relations,
    revisions,
    schema,
    scope,
    spaces,
    stateful,
    status,
    unique_patch,
    unknown,
    version_param,
    versioning,
)
