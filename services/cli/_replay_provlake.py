"""``provml replay`` of a log the ProvLake 0.2.982 library wrote offline.

With ``should_send_to_file`` the library logs each request it would have sent — one JSON list of
workflow, task and cycle messages a line — to ``LOG_DIR/prov-<uuid>.log``. Replaying posts each line
to the manager's ProvLake route (``/provenance/api/retrospective-provenance``), in order. The
mapping is a pure function of each request, so replaying twice, or after a partial replay, adds
nothing. A line the manager quarantines (422: e.g. a request whose workflow had not started) stays
on the manager, to be resubmitted there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["is_provlake_log", "replay_provlake_log"]

ROUTE = "/provenance/api/retrospective-provenance"


def _messages(line: str) -> list | None:
    """The messages of one log line, or None when it is not a ProvLake request."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(m, dict) and "act_type" in m for m in value):
        return value
    return None


def is_provlake_log(path: Path) -> bool:
    """Whether ``path`` is a file whose first line is a ProvLake 0.2.982 request."""
    if not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as f:
        first = next((line for line in f if line.strip()), "")
    return bool(_messages(first))


def replay_provlake_log(path: Path, manager: str | None, token: str | None) -> int:
    """Post every line of the log in order; the exit status of ``provml replay``."""
    import httpx

    from provlake._config import Settings

    settings = Settings.resolve({"manager": manager, "token": token})
    url = settings.manager.rstrip("/") + ROUTE
    headers = {"Content-Type": "application/json"}
    if settings.token:
        headers["Authorization"] = f"Bearer {settings.token}"
    sent = messages = quarantined = refused = unreadable = 0
    with httpx.Client(timeout=settings.timeout) as client:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            found = _messages(line)
            if found is None:
                print(f"provml replay: {path} line {number} is not a ProvLake request, skipped",
                      file=sys.stderr)  # fmt: skip
                unreadable += 1
                continue
            try:
                answer = client.post(url, content=line.encode(), headers=headers)
            except httpx.TransportError as exc:
                print(
                    f"provml replay: {url}: {exc} (stopped at line {number}; nothing lost: run "
                    "it again later, lines already sent add nothing)",
                    file=sys.stderr,
                )
                return 1
            if answer.is_success:
                sent, messages = sent + 1, messages + len(found)
                continue
            quarantined += answer.status_code == 422
            refused += answer.status_code != 422
            print(f"provml replay: {path} line {number}: {answer.status_code} {answer.text[:300]}",
                  file=sys.stderr)  # fmt: skip
    print(
        f"replayed {sent} ProvLake requests ({messages} messages); {quarantined} quarantined, "
        f"{refused} refused, {unreadable} unreadable lines"
    )
    return 1 if quarantined or refused or unreadable else 0
