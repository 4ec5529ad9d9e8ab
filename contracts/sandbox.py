"""WML: the suite's own two spaces, created through `/v2/spaces` and deleted at the end.

What it accepts follows the official ibm-watsonx-ai client (`Spaces.store`): 201 or 202 (200
too), the id at `metadata.id`, readiness at `entity.status.state` polled with `GET /v2/spaces/{id}`
until `active` (a space without a state is taken as ready), `failed` ends the run.
"""

from __future__ import annotations

import time

from .target import CannotRun, Target, describe

SPACES = "/v2/spaces"
OPTIONS = "pass --space-id SPACE --other-space-id OTHER_SPACE"


def create_spaces(target: Target, run: str, count: int = 2, timeout: float = 120.0,
                  pause: float = 0.5) -> list[str]:
    made: list[str] = []
    try:
        for n in range(count):
            response = target.request("POST", SPACES, json={
                "name": f"mlmock-check-{run}-{n + 1}",
                "description": "created by mlmock check; deleted when the run ends"})
            if response.status_code not in (200, 201, 202):
                raise CannotRun(f"the target cannot create spaces (POST {SPACES} answered "
                                f"{response.status_code}): {OPTIONS}")
            try:
                made.append(response.json()["metadata"]["id"])
            except (ValueError, KeyError, TypeError):
                raise CannotRun(f"POST {SPACES} answered {describe(response, 120)} without metadata.id: "
                                f"{OPTIONS}") from None
        for space in made:
            _wait_active(target, space, timeout, pause)
    except CannotRun:
        for space in made:
            delete_space(target, space)
        raise
    return made


def _wait_active(target: Target, space: str, timeout: float, pause: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        response = target.request("GET", f"{SPACES}/{space}")
        state = None
        if response.status_code == 200:
            try:
                state = (((response.json().get("entity") or {}).get("status") or {}).get("state"))
            except (ValueError, AttributeError):
                state = None
            if state in (None, "active"):
                return
            if state == "failed":
                raise CannotRun(f"space {space} failed to prepare: {OPTIONS}")
        if time.monotonic() > deadline:
            raise CannotRun(f"space {space} is not active after {timeout:.0f}s (last: "
                            f"{describe(response, 120)}): {OPTIONS}")
        time.sleep(pause)


def delete_space(target: Target, space: str) -> bool:
    response = target.request("DELETE", f"{SPACES}/{space}")
    return 200 <= response.status_code < 300 or response.status_code == 404
