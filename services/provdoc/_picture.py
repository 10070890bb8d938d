"""Pictures of an export: its nodes named and its lineage relations drawn by graphviz's ``dot``.

Every node carries the name the questions and the web UI give it (``queryengine.describe_nodes``:
stage and section names, ``loss = 0.31 (epoch 3)`` for a metric, ``lr = 0.02 (epoch 6)`` for a
setting...), coloured and shaped by its kind (activities boxes, entities ellipses, agents houses)
and each edge by its relation. To stay legible a picture is capped: nodes whose names differ only
in their numbers (the sections of 12 epochs, a measure's value at each epoch) keep the first
``_KEEP_FIRST`` and the last of the series and fold the rest into one ``+N more`` node (with its
epoch range); past ``MAX_NODES`` the least connected nodes fold into one ``+N more nodes``. The
values are all in the PROV-N, PROV-JSON and RDF exports.

Without graphviz (``dot`` not on ``PATH``) a PNG or SVG request raises ``GraphvizNotFoundError``,
which carries the DOT source so the caller can still write a ``.dot`` file; ``dot`` output never
needs graphviz.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Sequence

import pyoxigraph as ox

from queryengine import describe_nodes
from services.explore import describe_types
from services.provdoc._errors import GraphvizNotFoundError, ProvDocumentError

__all__ = ["GRAPHVIZ_HINT", "MAX_NODES", "render_picture"]

GRAPHVIZ_HINT = (
    "graphviz is not installed (no 'dot' program on PATH): install it to get PNG or SVG "
    "pictures (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
)
#: The most nodes a picture draws (folded series count as one).
MAX_NODES = 60
_KEEP_FIRST = 2  # of a series of like-named nodes, the first ones kept (and the last)
_SERIES = 4  # a series longer than this is folded
_PROV = "http://www.w3.org/ns/prov#"
_PROVML = "https://w3id.org/provml#"
# The relations drawn: PROV's between entities, activities and agents, and PROV-ML's lineage ones.
_RELATIONS = {
    _PROV + n
    for n in (
        "used",
        "wasGeneratedBy",
        "wasDerivedFrom",
        "wasRevisionOf",
        "wasQuotedFrom",
        "hadPrimarySource",
        "wasInformedBy",
        "wasStartedBy",
        "wasEndedBy",
        "wasInvalidatedBy",
        "wasAssociatedWith",
        "wasAttributedTo",
        "actedOnBehalfOf",
        "specializationOf",
        "alternateOf",
        "hadMember",
    )
} | {_PROVML + n for n in ("isPartOf", "evaluatedModel", "evaluatedOn", "refersTo")}
# Kinds drawn as PROV draws them (W3C PROV-O figures); the colours of the web UI's kinds.
_STYLES = {
    "run": 'shape=box, style="filled,rounded", fillcolor="#bfdbfe"',
    "activity": 'shape=box, style="filled", fillcolor="#dbeafe"',
    "agent": 'shape=house, style="filled", fillcolor="#fed7aa"',
    "plan": 'shape=note, style="filled", fillcolor="#e5e7eb"',
    "model": 'shape=ellipse, style="filled", fillcolor="#bbf7d0"',
    "dataset": 'shape=ellipse, style="filled", fillcolor="#fef08a"',
    "reference": 'shape=ellipse, style="filled", fillcolor="#fde68a"',
    "evaluation": 'shape=ellipse, style="filled", fillcolor="#fbcfe8"',
    "setting": 'shape=ellipse, style="filled", fillcolor="#e9d5ff"',
    "entity": 'shape=ellipse, style="filled", fillcolor="#fef9c3"',
    "other": 'shape=ellipse, style="dashed"',
    "more": 'shape=box, style="dashed,rounded", fontcolor="#4b5563"',
}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?|nan|inf", re.IGNORECASE)
_EPOCH = re.compile(r"\bepoch (\d+)")


class _Store:
    """The exported triples, queried like a store (for the names)."""

    def __init__(self, triples: Sequence[ox.Triple]) -> None:
        self.inner = ox.Store()
        graph = ox.NamedNode("urn:provml:picture")
        self.inner.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)

    def query(self, sparql: str, *, timeout: float | None = None):
        from services.store._results import materialize

        return materialize(self.inner.query(sparql, use_default_graph_as_union=True))


def _key(term: ox.NamedNode | ox.BlankNode) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _order(name: str) -> tuple:
    """Members of a series in their epoch's order, else in their numbers' order."""
    epoch = _EPOCH.search(name)
    numbers = [float(n) for n in _NUMBER.findall(name) if n.lower() not in ("nan", "inf")]
    return (int(epoch.group(1)) if epoch else -1, numbers, name)


def _fold(
    names: dict[str, str], kinds: dict[str, str], degree: dict[str, int], max_nodes: int
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """``{node: drawn node}`` and the folded nodes ``{id: (label, kind)}``."""
    series: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node, name in names.items():
        series[(kinds[node], _NUMBER.sub("#", name))].append(node)
    drawn = {node: node for node in names}
    folded: dict[str, tuple[str, str]] = {}
    for (kind, pattern), members in sorted(series.items()):
        if len(members) <= _SERIES:
            continue
        members.sort(key=lambda n: _order(names[n]))
        hidden = members[_KEEP_FIRST:-1]
        epochs = sorted(int(m.group(1)) for n in hidden if (m := _EPOCH.search(names[n])))
        shown = pattern.replace("#", "…")
        if epochs and len(epochs) == len(hidden):
            span = f"epochs {epochs[0]}–{epochs[-1]}"
            bare = re.sub(r"\s*\(epoch #\)", "", pattern)
            shown = span if bare == "epoch #" else f"{bare.replace('#', '…')} ({span})"
        fold = f"more:{kind}:{pattern}"
        folded[fold] = (f"+{len(hidden)} more\n{shown}", kind)
        for node in hidden:
            drawn[node] = fold
    kept = sorted(set(drawn.values()), key=lambda n: (-degree.get(n, 0), n))
    if len(kept) > max_nodes:
        rest = set(kept[max_nodes - 1 :])
        hidden_count = sum(1 for n in drawn if drawn[n] in rest)
        folded["more:nodes"] = (f"+{hidden_count} more nodes\n(all in the PROV-N export)", "more")
        for node, target in drawn.items():
            if target in rest:
                drawn[node] = "more:nodes"
    return drawn, folded


def to_dot(triples: Sequence[ox.Triple], *, max_nodes: int = MAX_NODES) -> str:
    """The DOT source of the picture of ``triples`` (nodes named, series folded, at most
    ``max_nodes`` nodes)."""
    related = {
        (_key(t.subject), t.predicate.value.rsplit("#", 1)[-1], _key(t.object))
        for t in triples
        if t.predicate.value in _RELATIONS and isinstance(t.object, ox.NamedNode | ox.BlankNode)
    }
    ends = sorted({n for s, _, o in related for n in (s, o)})
    described = describe_nodes(_Store(triples), ends)
    kinds = {
        n: describe_types(described[n][1])["category"] if n in described else "other" for n in ends
    }
    # the plans' own structure (a stage plan part of the experiment's) is not provenance
    edges = {(s, r, o) for s, r, o in related if not kinds[s] == kinds[o] == "plan"}
    nodes = sorted({n for s, _, o in edges for n in (s, o)})
    names = {n: described[n][0] if n in described else n for n in nodes}
    degree: dict[str, int] = defaultdict(int)
    for s, _, o in edges:
        degree[s] += 1
        degree[o] += 1
    drawn, folded = _fold(names, kinds, degree, max_nodes)
    ids = {n: f"n{i}" for i, n in enumerate(sorted(set(drawn.values())))}
    lines = [
        "digraph provenance {",
        '  graph [rankdir=LR, nodesep=0.12, ranksep=0.5, fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=11, margin="0.08,0.03", height=0.3];',
        '  edge [fontname="Helvetica", fontsize=8, color="#6b7280", fontcolor="#4b5563"];',
    ]
    for node, id_ in sorted(ids.items(), key=lambda item: int(item[1][1:])):
        label, kind = folded.get(node) or (names[node], kinds[node])
        tooltip = "" if node in folded else f", tooltip={_quote(node)}"
        lines.append(f"  {id_} [label={_quote(label)}, {_STYLES[kind]}{tooltip}];")
    drawn_edges = {
        (ids[drawn[s]], relation, ids[drawn[o]]) for s, relation, o in edges if drawn[s] != drawn[o]
    }
    for s, relation, o in sorted(drawn_edges):
        lines.append(f"  {s} -> {o} [label={_quote(relation)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_picture(triples: Sequence[ox.Triple], format: str) -> bytes:
    """The triples drawn as ``png``, ``svg`` or ``dot`` (the DOT source)."""
    source = to_dot(triples).encode("utf-8")
    if format == "dot":
        return source
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizNotFoundError(GRAPHVIZ_HINT, source)
    try:
        done = subprocess.run(
            [dot, f"-T{format}"], input=source, capture_output=True, timeout=300, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ProvDocumentError(f"graphviz could not render the {format} picture: {exc}") from exc
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip()
        raise ProvDocumentError(f"graphviz could not render the {format} picture: {problem}")
    return done.stdout
