"""What a test holds to reach the mock: URL, token, the app and its control plane as Python calls.

Shared by the live-server fixtures (:mod:`mlmock.pytest_plugin`) and the in-process mocks
(:mod:`mlmock.inprocess`).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any


@dataclass
class MockHandle:
    """What a test needs: the server root URL, the token, and the in-process app.

    Its methods are the control plane (``/_mlmock/api``) as Python calls; the README's "The control
    plane over HTTP" lists the same operations.
    """

    url: str
    token: str
    app: object

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def control(self):
        """The control plane's Python API (``mlmock.mockserver.devtools.control.Control``)."""
        return self.app.control

    def reset(self, api: str | None = None, **selector: str) -> dict:
        """The mock as freshly started: resources, journal, fault rules, lifecycle pace, clock.
        With ``api`` (and a selector) it is the older spelling of :meth:`forget`."""
        return self.control.reset(api, **selector)

    def forget(self, api: str | None = None, **selector: str) -> dict:
        """Remove resources only (journal, rules and clock stay): every API's, one API's
        (``api="wml"``), or one space's, project's or service's (``api="wml", space_id=...``;
        ``api="openmetadata", service="svc"``)."""
        return self.control.forget(api, **selector)

    def seed(self, data: Any, *, forget: bool = False, reset: bool = False) -> dict:
        """Create the resources a seed document lists (a dict, YAML/JSON text or a ``pathlib.Path``),
        through the API's own create operations; all or nothing. Returns the ids created.
        ``forget``: remove every resource first (``reset`` is its older name)."""
        return self.control.seed(data, forget=forget or reset, origin=self.url)

    def journal(self, *, method: str | None = None, path: str | None = None, status: Any = None,
                api: str | None = None, since: int | None = None, limit: int | None = None) -> list[dict]:
        """The requests the server received, oldest first (``path`` is a glob, ``status`` a code or
        a class such as ``"5xx"``)."""
        return self.control.journal_entries(method=method, path=path, status=status, api=api,
                                            since=since, limit=limit)

    def clear_journal(self) -> None:
        self.control.clear_journal()

    def fail_next(self, method: str = "*", path: str = "*", status: int = 503, *, times: int = 1,
                  **more: Any) -> dict:
        """The next ``times`` matching calls answer ``status`` in the API's error envelope.
        ``more``: ``skip`` (let N through first), ``probability``, ``delay_ms``, ``headers``, ``message``."""
        return self.control.fail_next(method, path, status, times=times, **more)

    def add_fault(self, **rule: Any) -> dict:
        """Any fault rule: ``method``, ``path``, ``status``, ``delay_ms`` (ms or [min, max]),
        ``drop``, ``times``, ``skip``, ``probability``, ``headers``, ``message``."""
        return self.control.add_fault(rule)

    def faults(self) -> list[dict]:
        return self.control.fault_rules()

    def clear_faults(self) -> None:
        self.control.clear_faults()

    def set_progression(self, progression: str, api: str | None = None, kind: str | None = None) -> dict:
        """``immediate``, ``manual``, ``reads:N`` or ``time:SECONDS``, for one kind, one API's
        lifecycle kinds, or every kind."""
        return self.control.set_progression(progression, api, kind)

    def force_state(self, api: str, kind: str, id_: str, state: str, message: str | None = None) -> dict:
        """Put a resource into any documented state (``failed`` carries the failure details)."""
        return self.control.force_state(api, kind, id_, state, message)

    def step(self, api: str, kind: str, id_: str) -> dict:
        """Move a resource one step along its lifecycle's happy path."""
        return self.control.step(api, kind, id_)

    def advance_clock(self, ms: int) -> int:
        """Move the mock's clock forward; returns the new time in epoch milliseconds."""
        return self.control.advance_clock(ms)["now_ms"]

    def snapshot(self) -> dict:
        """The whole state as a JSON-able document, for :meth:`restore`."""
        return self.control.snapshot()

    def restore(self, snapshot: dict) -> None:
        self.control.restore(snapshot)


@dataclass
class WmlHandle(MockHandle):
    """The WML mock over HTTPS (the official client accepts only https:// URLs)."""

    space_id: str = ""
    project_id: str = ""
    username: str = "admin"
    api_key: str = "mlmock-api-key"
    ca_file: str = ""

    @property
    def ssl_context(self) -> ssl.SSLContext:
        """Trusts the mock's certificate: ``httpx.Client(verify=handle.ssl_context)`` (httpx
        deprecates ``verify=<path>``; ``requests`` takes ``verify=handle.ca_file``)."""
        return ssl.create_default_context(cafile=self.ca_file)
