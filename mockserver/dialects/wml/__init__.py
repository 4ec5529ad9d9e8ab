"""IBM Watson Machine Learning v4's representation, for every kind the WML spec declares.

Resources are ``{"metadata": ..., "entity": ..., "system": ...}`` documents living in one space
or project (their *scope*); lists page with opaque ``start`` tokens and a ``next.href`` carrying
the whole query; revisions are immutable snapshots; statuses follow the kind's lifecycle;
uploads become attachments. Which fields go to ``metadata``, which parent must exist, which
fields are unique, patchable, generated or linked: all of it is read from the kind's
declaration, so no function here names a kind.

One module per concern; importing the package registers every action on the ``wml`` dialect.
"""

from . import assets, content, listing, members, predictions, resources, revisions, service  # noqa: F401
