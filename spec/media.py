"""Media types, as the spec's request and response contents name them."""

from __future__ import annotations


def is_json_media(content_type: str) -> bool:
    """Whether a content type (parameters allowed) is JSON: ``application/json`` or ``application/*+json``."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
