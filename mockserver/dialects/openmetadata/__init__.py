"""OpenMetadata's representation of entities, for every kind the OpenMetadata spec declares.

Entities are flat documents with an ``id``, a fully qualified name built from the parent's,
decimal versions (0.1 at creation, +0.1 on a change, +1.0 on a change of a major field), a
version history, soft delete, and references to other entities as ``EntityReference`` objects.
Nothing here names a particular kind: parents, references, unique keys, relation fields and
major fields are read from the kind's declaration.

One module per concern; importing the package registers every action on the ``openmetadata`` dialect.
"""

from . import actions  # noqa: F401
