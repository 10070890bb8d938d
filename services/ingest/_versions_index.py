"""Version graphs in memory: input objects with their lightest-route closure, output objects with
their inferred revisions kept as a transitive reduction (OMProv).

An input object's versions form a weighted DAG (a version revises one or more earlier versions
of the same object). ``InputGraph`` keeps the all-pairs lightest-route matrix of that DAG:
reachability is one lookup (``dist[a, b] < inf``), and adding a version costs one vector minimum
per parent.

An output object's versions (the models of one name) are ordered by their jobs' inputs: ``j``
comes before ``i`` when, for every input object, ``i``'s input version is reachable from (or equal
to) ``j``'s; jobs with equal inputs are ordered by the start time of their training, then by IRI,
so the order is strict and every version has one place whatever the order of arrival.
``OutputGraph`` keeps the covering edges of that order (its transitive reduction: nearest
ancestors only). Inserting a version checks it against every version with the same input objects
in a few vector operations (``y`` versions, ``n`` input objects: ``y · n`` closure lookups), finds
its nearest ancestors and descendants from the stored edges, and drops the edges it makes
redundant; removing one reconnects its neighbours. Versions whose jobs used different sets of input
objects are not comparable.

>>> data = InputGraph("d")
>>> for v, parents in [("d1", []), ("d2", [("d1", 0.25)]), ("d3", [("d2", 0.5)])]:
...     data.add(v, parents)
>>> data.distance("d1", "d3"), data.route("d1", "d3")
(0.75, [('d2', 'd1'), ('d3', 'd2')])
>>> models = OutputGraph("mlp")
>>> models.insert("m1", {data: "d1"}, 1.0).added
[]
>>> models.insert("m3", {data: "d3"}, 3.0).added
[('m1', 'm3')]
>>> change = models.insert("m2", {data: "d2"}, 2.0)
>>> change.added, change.removed
([('m1', 'm2'), ('m2', 'm3')], [('m1', 'm3')])
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Change", "InputGraph", "OutputGraph", "fact_hash"]

_INF = np.inf


class InputGraph:
    """The versions of one input object and the lightest-route distances between them."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        self.index: dict[str, int] = {}
        self.iris: list[str] = []
        self.parents: list[list[tuple[int, float]]] = []  # by parent IRI
        self.dist = np.full((0, 0), _INF)

    def __len__(self) -> int:
        return len(self.iris)

    def __contains__(self, version: str) -> bool:
        return version in self.index

    def add(self, version: str, parents: list[tuple[str, float]]) -> None:
        """Add a version revising ``parents`` (IRI, weight), all already present."""
        if version in self.index:
            raise ValueError(f"version {version} is already in {self.iri}")
        n = len(self.iris)
        if n == len(self.dist):
            grown = np.full((max(16, 2 * n),) * 2, _INF)
            grown[:n, :n] = self.dist[:n, :n]
            self.dist = grown
        links = sorted((self.iris[self.index[p]], self.index[p], w) for p, w in parents)
        column = np.full(n, _INF)
        for _, parent, weight in links:
            np.minimum(column, self.dist[:n, parent] + weight, out=column)
        self.dist[:n, n] = column
        self.dist[n, : n + 1] = _INF
        self.dist[n, n] = 0.0
        self.index[version] = n
        self.iris.append(version)
        self.parents.append([(parent, weight) for _, parent, weight in links])

    def distance(self, older: str, newer: str) -> float:
        """The weight of the lightest route from ``older`` to ``newer`` (inf when none)."""
        return float(self.dist[self.index[older], self.index[newer]])

    def route(self, older: str, newer: str) -> list[tuple[str, str]]:
        """The revisions (version, revised version) of the lightest route, oldest first; ties go to
        the parent with the smallest IRI."""
        a, b = self.index[older], self.index[newer]
        if self.dist[a, b] == _INF:
            raise ValueError(f"{newer} is not reachable from {older}")
        hops = []
        while b != a:
            target = self.dist[a, b]
            parent = next(p for p, w in self.parents[b] if self.dist[a, p] + w == target)
            hops.append((self.iris[b], self.iris[parent]))
            b = parent
        return hops[::-1]


@dataclass
class Change:
    """Covering edges (older IRI, newer IRI) an insertion or removal added and removed."""

    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)

    def merge(self, other: Change) -> None:
        """Fold ``other`` (which happened after this change) into this one."""
        for edge in other.removed:
            if edge in self.added:
                self.added.remove(edge)
            else:
                self.removed.append(edge)
        for edge in other.added:
            if edge in self.removed:
                self.removed.remove(edge)
            else:
                self.added.append(edge)


def fact_hash(version: str, inputs: dict[str, str], time: float) -> int:
    """A 256-bit hash of one output version's job facts; XOR-ed over an object's versions, it
    names the set of facts its inferred graph comes from, whatever their order."""
    text = "\n".join([version, repr(time), *sorted(f"{p} {v}" for p, v in inputs.items())])
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


class _Block:
    """The output versions whose jobs used one set of input objects."""

    def __init__(self, inputs: tuple[InputGraph, ...]) -> None:
        self.inputs = inputs
        self.x = np.zeros((len(inputs), 16), dtype=np.int64)
        self.time = np.zeros(16)
        self.alive = np.zeros(16, dtype=bool)
        self.iris: list[str] = []
        self.src = np.zeros(16, dtype=np.int64)
        self.dst = np.zeros(16, dtype=np.int64)
        self.valid = np.zeros(16, dtype=bool)
        self.edges: dict[tuple[int, int], int] = {}
        self.n_edges = 0

    def _grow_versions(self) -> None:
        n = len(self.iris)
        if n < len(self.time):
            return
        self.x = np.concatenate([self.x, np.zeros_like(self.x)], axis=1)
        self.time = np.concatenate([self.time, np.zeros_like(self.time)])
        self.alive = np.concatenate([self.alive, np.zeros_like(self.alive)])

    def masks(self, x: np.ndarray, time: float, iri: str) -> tuple[np.ndarray, np.ndarray]:
        """(below, above): the live versions strictly before / after a job with inputs ``x``."""
        n = len(self.iris)
        le = self.alive[:n].copy()
        ge = le.copy()
        eq = le.copy()
        for p, graph in enumerate(self.inputs):
            xs = self.x[p, :n]
            le &= graph.dist[xs, x[p]] < _INF
            ge &= graph.dist[x[p], xs] < _INF
            eq &= xs == x[p]
        le &= ~eq
        ge &= ~eq
        for j in np.flatnonzero(eq):
            if self.iris[j] == iri:
                continue
            if (self.time[j], self.iris[j]) < (time, iri):
                le[j] = True
            else:
                ge[j] = True
        return le, ge

    def add_edge(self, a: int, b: int) -> None:
        m = self.n_edges
        if m == len(self.src):
            self.src = np.concatenate([self.src, np.zeros_like(self.src)])
            self.dst = np.concatenate([self.dst, np.zeros_like(self.dst)])
            self.valid = np.concatenate([self.valid, np.zeros_like(self.valid)])
        self.src[m], self.dst[m], self.valid[m] = a, b, True
        self.edges[(a, b)] = m
        self.n_edges = m + 1

    def drop_edge(self, a: int, b: int) -> None:
        self.valid[self.edges.pop((a, b))] = False

    def live_edges(self) -> tuple[np.ndarray, np.ndarray]:
        m = self.n_edges
        keep = self.valid[:m]
        return self.src[:m][keep], self.dst[:m][keep]


class OutputGraph:
    """The versions of one output object (the models of one name) and their covering edges."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        self.blocks: dict[tuple[str, ...], _Block] = {}
        self.where: dict[str, tuple[_Block, int]] = {}
        self.facts: dict[str, tuple[dict[str, str], float]] = {}
        self.digest = 0

    def __contains__(self, version: str) -> bool:
        return version in self.where

    def __len__(self) -> int:
        return len(self.where)

    def inputs_of(self, version: str) -> dict[str, str]:
        """Input object IRI → input version IRI of a version's job."""
        return self.facts[version][0]

    def insert(self, version: str, inputs: dict[InputGraph, str], time: float) -> Change:
        """Place a version whose job used ``inputs`` (input graph → version IRI) and started at
        ``time``."""
        if version in self.where:
            raise ValueError(f"{version} is already a version of {self.iri}")
        graphs = tuple(sorted(inputs, key=lambda g: g.iri))
        key = tuple(g.iri for g in graphs)
        block = self.blocks.get(key)
        if block is None:
            block = self.blocks[key] = _Block(graphs)
        x = np.array([g.index[inputs[g]] for g in graphs], dtype=np.int64)
        below, above = block.masks(x, time, version)
        src, dst = block.live_edges()
        covered = np.zeros_like(below)
        covered[src[below[src] & below[dst]]] = True
        parents = np.flatnonzero(below & ~covered)
        covered[:] = False
        covered[dst[above[src] & above[dst]]] = True
        children = np.flatnonzero(above & ~covered)

        block._grow_versions()
        i = len(block.iris)
        block.iris.append(version)
        block.x[:, i] = x
        block.time[i] = time
        block.alive[i] = True
        change = Change()
        for p in parents:
            for c in children:
                if (p, c) in block.edges:
                    block.drop_edge(p, c)
                    change.removed.append((block.iris[p], block.iris[c]))
        for p in parents:
            block.add_edge(int(p), i)
            change.added.append((block.iris[p], version))
        for c in children:
            block.add_edge(i, int(c))
            change.added.append((version, block.iris[c]))
        self.where[version] = (block, i)
        facts = ({g.iri: v for g, v in inputs.items()}, time)
        self.facts[version] = facts
        self.digest ^= fact_hash(version, *facts)
        return change

    def remove(self, version: str) -> Change:
        """Take a version out, linking its nearest ancestors to its nearest descendants where no
        other version lies between them."""
        block, i = self.where.pop(version)
        inputs, time = self.facts.pop(version)
        self.digest ^= fact_hash(version, inputs, time)
        block.alive[i] = False
        change = Change()
        src, dst = block.live_edges()
        parents = [int(p) for p in src[dst == i]]
        children = [int(c) for c in dst[src == i]]
        for p in parents:
            block.drop_edge(p, i)
            change.removed.append((block.iris[p], version))
        for c in children:
            block.drop_edge(i, c)
            change.removed.append((version, block.iris[c]))
        for p in parents:
            _, after_p = block.masks(block.x[:, p], block.time[p], block.iris[p])
            for c in children:
                before_c, _ = block.masks(block.x[:, c], block.time[c], block.iris[c])
                if not (after_p & before_c).any():
                    block.add_edge(p, c)
                    change.added.append((block.iris[p], block.iris[c]))
        return change

    def edges(self) -> list[tuple[str, str]]:
        """Every covering edge (older, newer), sorted."""
        out = []
        for block in self.blocks.values():
            src, dst = block.live_edges()
            out += [(block.iris[a], block.iris[b]) for a, b in zip(src, dst, strict=True)]
        return sorted(out)
