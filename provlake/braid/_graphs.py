"""Pictures of the records around one record, as Braid-DB draws them: Mermaid (``graph TD``) and
Graphviz DOT. Every record connected to the start through derivations, in both directions, with
its validity (colour), its invalidation (cause; the root invalidation it descends from) and its
invalidation actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["to_dot", "to_mermaid"]


@dataclass
class _Picture:
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    edges: set[tuple[int, int]] = field(default_factory=set)
    invalidations: dict[str, tuple[str, str]] = field(default_factory=dict)  # id → cause, root
    invalidated: dict[int, str] = field(default_factory=dict)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    guards: set[tuple[str, int]] = field(default_factory=set)


def _collect(record_id: int, db: Any) -> _Picture:
    picture = _Picture()
    start = db.record_row(record_id)
    if start is None:
        from ._types import UnknownRecord

        raise UnknownRecord(f"no record {record_id} in {db}")
    todo = [record_id]
    while todo:
        current = todo.pop()
        if current in picture.records:
            continue
        row = db.record_row(current)
        picture.records[current] = row
        if row.get("invalidation"):
            own = row["invalidation"].rsplit("/", 1)[-1]
            picture.invalidations[own] = (row["cause"], row["root"].rsplit("/", 1)[-1])
            picture.invalidated[current] = own
        for action in db.ask("braid-actions", record=str(current)):
            picture.actions[action["action_id"]] = action
            picture.guards.add((action["action_id"], current))
        for derived in db.ask("braid-derivations", record=str(current)):
            picture.edges.add((current, derived["record_id"]))
            todo.append(derived["record_id"])
        for source in db.ask("braid-predecessors", record=str(current)):
            picture.edges.add((source["record_id"], current))
            todo.append(source["record_id"])
    return picture


def _mermaid_text(text: Any) -> str:
    return str(text).replace('"', "#quot;").replace("\n", " ")


def to_mermaid(record_id: int, db: Any) -> str:
    """The Mermaid flowchart of the records around ``record_id``."""
    p = _collect(record_id, db)
    lines = ["graph TD"]
    for rid, row in sorted(p.records.items()):
        label = _mermaid_text(f"{row.get('name') or ''} [{rid}] {row.get('kind')}")
        lines.append(f'record{rid}("{label}")')
        colour = "LightPink" if rid in p.invalidated else "LightGoldenRodYellow"
        lines.append(f"style record{rid} fill:{colour}")
    for source, target in sorted(p.edges):
        lines.append(f"record{source} --> record{target}")
    for inv, (cause, root) in sorted(p.invalidations.items()):
        lines.append(f'invalidation_{inv[:12]}[/"{_mermaid_text(cause)}"/]')
        lines.append(f"style invalidation_{inv[:12]} fill:Violet")
        if root != inv and root in p.invalidations:
            lines.append(f"invalidation_{root[:12]} ==>|Causes| invalidation_{inv[:12]}")
    for rid, inv in sorted(p.invalidated.items()):
        lines.append(f"invalidation_{inv[:12]} -.-o|Invalidates| record{rid}")
    for aid, action in sorted(p.actions.items()):
        label = _mermaid_text(f"{action.get('name') or ''}: {action['command']}")
        lines.append(f'action_{aid[:12]}{{{{"{label}"}}}}')
        lines.append(f"style action_{aid[:12]} fill:MediumSpringGreen")
    for aid, rid in sorted(p.guards):
        lines.append(f"action_{aid[:12]} -.-> record{rid}")
    return "\n".join(lines) + "\n"


def _dot_text(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def to_dot(record_id: int, db: Any) -> str:
    """The Graphviz digraph of the records around ``record_id``."""
    p = _collect(record_id, db)
    lines = ["digraph G {"]
    for rid, row in sorted(p.records.items()):
        colour = "pink" if rid in p.invalidated else "yellow"
        label = _dot_text(f"{row.get('name') or ''} [{rid}] {row.get('kind')}")
        lines.append(
            f'  record{rid} [shape=box, style=filled, fillcolor="{colour}", label="{label}"];'
        )
    for source, target in sorted(p.edges):
        lines.append(f"  record{source} -> record{target};")
    for inv, (cause, root) in sorted(p.invalidations.items()):
        node = f"invalidation_{inv[:12]}"
        lines.append(
            f'  {node} [shape=parallelogram, style=filled, fillcolor="violet", '
            f'label="{_dot_text(cause)}"];'
        )
        if root != inv and root in p.invalidations:
            lines.append(f'  invalidation_{root[:12]} -> {node} [label="Causes"];')
    for rid, inv in sorted(p.invalidated.items()):
        lines.append(
            f'  invalidation_{inv[:12]} -> record{rid} [style=dotted, label="Invalidates"];'
        )
    for aid, action in sorted(p.actions.items()):
        label = _dot_text(f"{action.get('name') or ''}: {action['command']}")
        lines.append(
            f'  action_{aid[:12]} [shape=hexagon, style=filled, fillcolor="green", '
            f'label="{label}"];'
        )
    for aid, rid in sorted(p.guards):
        lines.append(f"  action_{aid[:12]} -> record{rid} [style=dotted];")
    lines.append("}")
    return "\n".join(lines) + "\n"
