"""What the web UI shows, read from the store as JSON-ready dicts: the runs table, a run's page, its
metric series, comparisons, lineage neighbourhoods, node descriptions, the invalidation state of
Braid records and version graphs, every node named.

Everything here reads; the SPARQL lives in ``queryengine/views``. Errors, one root::

    ExploreError        a read the UI API refuses
    ├── BadParameter    a malformed parameter (names it)          → 400
    └── UnknownNode     no run or node with this id or IRI        → 404
"""

from services.explore._braid import braid_record, invalidations
from services.explore._compare import compare_runs
from services.explore._errors import BadParameter, ExploreError, UnknownNode
from services.explore._labels import describe_types, label_nodes
from services.explore._lineage import neighbourhood, neighbours
from services.explore._nodes import describe_node, node_triples
from services.explore._run import metric_series, resolve_run, run_detail
from services.explore._runs import RunsQuery, run_rows, runs_table
from services.explore._versions import version_graph, versioned_objects

__all__ = [
    "BadParameter",
    "ExploreError",
    "RunsQuery",
    "UnknownNode",
    "braid_record",
    "compare_runs",
    "describe_node",
    "describe_types",
    "invalidations",
    "label_nodes",
    "metric_series",
    "neighbourhood",
    "neighbours",
    "node_triples",
    "resolve_run",
    "run_detail",
    "run_rows",
    "runs_table",
    "version_graph",
    "versioned_objects",
]
