"""Crash points for kill tests: `DANGAN_CRASH_AT=name:n` kills the process (SIGKILL) at the n-th pass of `name`.

Tests use it to stop dangan at exact moments (inside an object write, between commit and retirement) on top of
kills at random times; unset, it costs a dictionary lookup.
"""

from __future__ import annotations

import os
import signal

_hits: dict[str, int] = {}


def crash_point(name: str) -> None:
    spec = os.environ.get("DANGAN_CRASH_AT")
    if not spec:
        return
    target, _, count = spec.partition(":")
    if target != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
