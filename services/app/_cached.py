"""JSON answers with an ``ETag``: a client that polls (the web UI, live) sends ``If-None-Match`` and
gets ``304 Not Modified`` while the answer stays the same."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request, Response

__all__ = ["json_with_etag"]


def json_with_etag(request: Request, payload: Any) -> Response:
    """``payload`` as JSON with a strong ETag of its bytes; 304 when the request already has
    them."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": tag, "Cache-Control": "no-cache", "Vary": "Authorization"}
    wanted = request.headers.get("if-none-match", "")
    if tag in {t.strip().removeprefix("W/") for t in wanted.split(",")} or wanted.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
