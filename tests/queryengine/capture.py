"""The hand-built capture (capture.trig) and how to load it, shared by the query-engine tests."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from queryengine import attach_domain_graph, example_domain_graph
from services.store import Store

CAPTURE = Path(__file__).with_name("capture.trig")
BASE = "http://provml.localhost/id/"
CORES = "https://example.org/cores#"


def capture_quads() -> list[ox.Quad]:
    return list(ox.parse(path=str(CAPTURE), format=ox.RdfFormat.TRIG))


def load_capture(store: Store) -> Store:
    """Add the capture, the Braid-DB capture (through the ingest) and attach the example domain
    graph as ``cores``."""
    from tests.queryengine.braid_capture import load_braid_capture

    store.add(capture_quads())
    load_braid_capture(store)
    attach_domain_graph(store, "cores", example_domain_graph(), base_iri=BASE)
    return store
