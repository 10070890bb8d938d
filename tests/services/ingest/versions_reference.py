"""A brute-force reference of the OMProv inference, straight from its definition, for the tests.

``j`` precedes ``i`` (both versions of one output object whose jobs used the same input objects)
when every input version of ``i`` is reachable from (or equal to) ``j``'s, and, when all are equal,
``(time, IRI)`` of ``j`` is smaller. The inferred edges are the covering pairs of that order; an
edge's weight is the mean over input objects of the lightest route's weight (Dijkstra).
"""

from __future__ import annotations

import heapq
import math

from hypothesis import strategies as st

Inputs = dict[str, dict[str, list[tuple[str, float]]]]  # object -> version -> [(parent, weight)]
Jobs = dict[str, tuple[dict[str, str], float]]  # model -> ({object: version}, time)


def lightest(graph: dict[str, list[tuple[str, float]]], older: str, newer: str) -> float:
    """Dijkstra from ``newer`` back to ``older`` along revisions (inf when unreachable)."""
    best = {newer: 0.0}
    heap = [(0.0, newer)]
    while heap:
        d, v = heapq.heappop(heap)
        if v == older:
            return d
        if d > best[v]:
            continue
        for parent, weight in graph[v]:
            if d + weight < best.get(parent, math.inf):
                best[parent] = d + weight
                heapq.heappush(heap, (d + weight, parent))
    return math.inf


def before(inputs: Inputs, jobs: Jobs, j: str, i: str) -> bool:
    (xj, tj), (xi, ti) = jobs[j], jobs[i]
    if j == i or set(xj) != set(xi):
        return False
    if any(math.isinf(lightest(inputs[p], xj[p], xi[p])) for p in xj):
        return False
    if all(xj[p] == xi[p] for p in xj):
        return (tj, j) < (ti, i)
    return True


def inferred_edges(inputs: Inputs, jobs: Jobs) -> dict[tuple[str, str], float]:
    """(older, newer) → weight of every covering edge."""
    order = {(j, i) for j in jobs for i in jobs if before(inputs, jobs, j, i)}
    edges = {}
    for j, i in order:
        if any((j, k) in order and (k, i) in order for k in jobs):
            continue
        xj, xi = jobs[j][0], jobs[i][0]
        total = 0.0
        for p in sorted(xj):
            total += lightest(inputs[p], xj[p], xi[p])
        edges[(j, i)] = total / len(xj)
    return edges


@st.composite
def worlds(draw: st.DrawFn) -> tuple[dict, dict, list[str], list[str]]:
    """Random input DAGs (merges included), jobs over them, an arrival order, and versions removed
    then put back."""
    spec: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for p in range(draw(st.integers(1, 3))):
        versions: dict[str, list[tuple[str, float]]] = {}
        for k in range(draw(st.integers(1, 6))):
            earlier = list(versions)
            parents = (
                draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
            )
            weight = st.sampled_from([0.0, 0.5, 1.0, 2.5])
            versions[f"p{p}v{k}"] = [(u, draw(weight)) for u in parents]
        spec[f"p{p}"] = versions
    jobs = {}
    for m in range(draw(st.integers(1, 12))):
        objects = draw(st.sampled_from([sorted(spec), sorted(spec)[:1]]))
        x = {p: draw(st.sampled_from(sorted(spec[p]))) for p in objects}
        jobs[f"m{m:02d}"] = (x, float(draw(st.integers(0, 3))))
    order = draw(st.permutations(sorted(jobs)))
    churn = draw(st.lists(st.sampled_from(sorted(jobs)), max_size=4, unique=True))
    return spec, jobs, list(order), churn
