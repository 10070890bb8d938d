"""A small real HTTP receiver for capture batches, run as a subprocess by the tests.

It checks each batch against docs/capture-format.md (fields allowed and required per record type, id
pattern, time), appends accepted batches (and the Authorization header) to ``--out`` as JSON lines,
and answers like the manager: 200 with counts, 400 with ``{error, message, details}``. ``--status
N`` makes it answer N to every batch instead (to test rejections and retries).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")
COMMON = {"type", "id", "run", "time"}
FIELDS = {
    "run.start": ({"name"}, {"study", "kind", "user", "software", "environment", "attributes"}),
    "run.end": (set(), {"status", "attributes"}),
    "stage.start": ({"name", "kind"}, {"parent", "used", "planned_epochs", "attributes"}),
    "stage.end": (set(), {"status", "attributes"}),
    "section.start": ({"stage", "name", "index"}, set()),
    "section.end": (set(), {"status", "attributes"}),
    "metric": ({"execution", "name", "value"}, {"epoch", "step", "model", "data"}),
    "hyperparameter": ({"execution", "name", "value"}, {"epoch", "previous"}),
    "entity": (
        {"kind"},
        {
            "name",
            "generated_by",
            "derived_from",
            "revision_of",
            "location",
            "digest",
            "record_count",
            "version",
            "refers_to",
            "attributes",
        },
    ),
    "used": ({"execution", "entity"}, set()),
}


def problems(batch: object) -> list[str]:
    if not isinstance(batch, dict) or set(batch) != {"schema", "client", "records"}:
        return ["batch must have exactly schema, client, records"]
    if batch["schema"] != "provml/capture/1" or not batch["records"]:
        return ["bad schema or empty records"]
    found = []
    for i, r in enumerate(batch["records"]):
        spec = FIELDS.get(r.get("type"))
        if spec is None:
            found.append(f"records[{i}].type {r.get('type')!r}")
            continue
        required, optional = spec
        missing = (COMMON | required) - set(r)
        unknown = set(r) - COMMON - required - optional
        if missing or unknown:
            found.append(f"records[{i}] missing {sorted(missing)} unknown {sorted(unknown)}")
        for key in ("id", "run"):
            if not isinstance(r.get(key), str) or not ID.fullmatch(r[key]):
                found.append(f"records[{i}].{key} {r.get(key)!r}")
        if not isinstance(r.get("time"), int | float):
            found.append(f"records[{i}].time")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--status", type=int, default=200)
    args = parser.parse_args()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: object) -> None:
            pass

        def _answer(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != "/api/v1/capture":
                return self._answer(
                    404, {"error": "not_found", "message": self.path, "details": {}}
                )
            if args.status != 200:
                return self._answer(args.status, {"error": "forced", "message": "", "details": {}})
            try:
                batch = json.loads(raw)
            except ValueError as exc:
                return self._answer(400, {"error": "bad_json", "message": str(exc), "details": {}})
            found = problems(batch)
            if found:
                return self._answer(
                    400, {"error": "invalid", "message": found[0], "details": found}
                )
            line = {"auth": self.headers.get("Authorization"), "batch": batch}
            with lock, open(args.out, "a") as f:
                f.write(json.dumps(line) + "\n")
            self._answer(200, {"accepted": len(batch["records"]), "triples": 0, "graphs": []})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
