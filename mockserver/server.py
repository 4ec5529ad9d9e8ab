"""``mlmock serve``: the mock as a standalone server."""

from __future__ import annotations

import sys

import uvicorn

from mlmock import DEFAULT_TOKEN

from .app import create_app
from .engine import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8585


def banner(app, scheme: str, host: str, port: int) -> str:
    root = f"{scheme}://{host}:{port}"
    lines = [f"mlmock serving on {root}"]
    for name, decl in app.apis.items():
        base = decl.base_path or "/"
        lines.append(f"  {name:<13} {root}{base if base != '/' else ''}  (Swagger UI: {root}{base.rstrip('/')}/ui/)")
    lines.append(f"  token         Authorization: Bearer {app.token}")
    return "\n".join(lines)


def serve(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str = DEFAULT_TOKEN,
          state_file: str | None = None, log_level: str = "info") -> None:
    from .store import Store

    app = create_app(settings=Settings(token=token), store=Store(state_file) if state_file else None)
    print(banner(app, "http", host, port), file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, lifespan="off")
