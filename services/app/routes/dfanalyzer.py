"""The DfAnalyzer wire format, for DLProv scripts using the original ``dfa_lib_python``.

The library posts to ``DFA_URL + "/pde/dataflow/json"`` and ``DFA_URL + "/pde/task/json"``; its
default ``DFA_URL`` ends with a slash, so the paths arrive as ``//pde/...``: both spellings are
served. DfAnalyzer answers 200 and the library only prints the status; here the answer comes after
the commit, as for every capture route, and a message the manager cannot accept gets a 4xx naming
the field (the library prints that status too).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from .._ingesting import ingest_response
from ..deps import IngestorDep, JsonBody, write_access

router = APIRouter(tags=["dfanalyzer"])

_ERRORS = {
    400: {"description": "malformed message, or one its dataflow does not allow (names the field)"},
    401: {"description": "missing or invalid bearer token"},
    413: {"description": "body too large"},
    415: {"description": "not JSON"},
    422: {"description": "SHACL violation: the message is quarantined, the report is in details"},
}


def dataflow(body: JsonBody, ingestor: IngestorDep) -> JSONResponse:
    """A dataflow's definition: transformations, their sets and the sets' typed attributes."""
    return ingest_response(ingestor.ingest_dfanalyzer(body, kind="dataflow"))


def task(body: JsonBody, ingestor: IngestorDep) -> JSONResponse:
    """A task's begin, save or end, with the elements of its sets."""
    return ingest_response(ingestor.ingest_dfanalyzer(body, kind="task"))


for _prefix, _where in (("", "root"), ("/", "double_slash")):
    for _name, _handler, _summary in (
        ("dataflow", dataflow, "DfAnalyzer dataflow"),
        ("task", task, "DfAnalyzer task"),
    ):
        router.add_api_route(
            f"{_prefix}/pde/{_name}/json",
            _handler,
            methods=["POST"],
            dependencies=[Depends(write_access)],
            summary=_summary,
            responses=_ERRORS,
            operation_id=f"dfanalyzer_{_name}_{_where}",
            include_in_schema=_where == "root",
        )
