"""Running invalidation actions, in the process that invalidates, and describing their outcome.

- ``shell``: the command with the action's ``args`` (``{name}``, ``{record_id}``, ``{cause}`` and
  the record's tags substituted, as Braid-DB does), then the record id and the cause as the last two
  arguments; no shell in between. ``params["timeout"]`` seconds (default 60), then it is killed.
- ``webhook``: ``POST`` of a JSON object (record id and name, cause, invalidation and root, time,
  tags) to the URL, with ``params["headers"]``, within ``params["timeout"]`` seconds (default 30).
- ``automate_event``: Globus Automate cannot be reached from here; the run is recorded as failed.

The outcome becomes a ``braid.action_run`` record: status ``finished`` (exit status 0, HTTP 2xx) or
``failed``, the exit status or HTTP status, and the output (at most 4000 characters).
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

__all__ = ["run_action"]

MAX_OUTPUT = 4000


def _substitute(value: Any, fields: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**fields)
    if isinstance(value, list):
        return [_substitute(v, fields) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, fields) for k, v in value.items()}
    return value


def run_action(action: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``action`` (a ``braid-actions`` row) for ``event`` (record_id, name, cause, invalidation,
    root, time, tags); the fields of its ``braid.action_run`` record."""
    started = time.time()
    params = json.loads(action["parameters"] or "{}")
    kind = action["action_type"]
    try:
        if kind == "shell":
            outcome = _shell(action["command"], params, event)
        elif kind == "webhook":
            outcome = _webhook(action["command"], params, event)
        else:
            outcome = {"status": "failed", "output": f"{kind} actions cannot run here"}
    except (KeyError, IndexError, ValueError) as exc:  # a substitution naming no field
        outcome = {"status": "failed", "output": f"cannot build the action: {exc!r}"}
    outcome["output"] = outcome.get("output", "")[-MAX_OUTPUT:]
    return {"started": started, "time": time.time(), **outcome}


def _shell(command: str, params: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    fields = {**event.get("tags", {}), **event}
    argv = [
        _substitute(command, fields),
        *[str(a) for a in _substitute(list(params.get("args", [])), fields)],
        str(event["record_id"]),
        str(event["cause"]),
    ]
    timeout = float(params.get("timeout", 60))
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        output = (
            (exc.stdout or b"").decode("utf-8", "replace")
            if isinstance(exc.stdout, bytes)
            else (exc.stdout or "")
        )
        return {
            "status": "failed",
            "exit_status": -9,
            "output": f"{output}\nkilled after {timeout:g} s (timeout)".lstrip(),
        }
    except OSError as exc:
        return {"status": "failed", "output": f"cannot run {argv[0]!r}: {exc}"}
    return {
        "status": "finished" if done.returncode == 0 else "failed",
        "exit_status": done.returncode,
        "output": done.stdout + done.stderr,
    }


def _webhook(url: str, params: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any]:
    body = json.dumps(dict(event)).encode()
    headers = {"Content-Type": "application/json", **dict(params.get("headers", {}))}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    timeout = float(params.get("timeout", 30))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        return {"status": "failed", "output": f"POST {url} failed: {exc}"}
    return {
        "status": "finished" if 200 <= status < 300 else "failed",
        "http_status": status,
        "output": text,
    }
