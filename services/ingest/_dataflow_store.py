"""Dataflow definitions as stored: what a task needs of its transformation (the sets it reads and
writes, the step each input comes from, each set's attributes in order), read with one query per
batch (``VALUES`` over the transformations the batch's tasks name)."""

from __future__ import annotations

from collections.abc import Collection

from provlake.vocab import PROVML, RDFS

from ._dataflows import SetDef, TransformationDef
from ._iris import Iris

__all__ = ["StoredDefinitions"]


class StoredDefinitions:
    """Reads the definitions of (dataflow, transformation) pairs from a store: one query."""

    def __init__(self, store: object, iris: Iris) -> None:
        self.store = store
        self.iris = iris

    def __call__(
        self, needed: Collection[tuple[str, str]]
    ) -> tuple[dict[tuple[str, str], TransformationDef], dict[tuple[str, str], SetDef]]:
        nodes = {Iris.stage_plan(self.iris.experiment(df), t).value: (df, t) for df, t in needed}
        values = " ".join(f"<{iri}>" for iri in sorted(nodes))
        label, part = f"<{RDFS.label}>", f"<{PROVML.isPartOf}>"
        query = (
            "SELECT ?t ?role ?from ?tag ?position ?name ?type WHERE { "
            f"VALUES ?t {{ {values} }} "
            f"{{ ?t <{PROVML.outputSet}> ?set BIND('output' AS ?role) }} UNION "
            f"{{ ?t <{PROVML.inputSet}> ?set BIND('input' AS ?role) }} UNION "
            f"{{ ?t <{PROVML.dependsOn}> ?d . ?d <{PROVML.outputSet}> ?set ; {label} ?from "
            "BIND('from' AS ?role) } "
            f"?set {label} ?tag . "
            f"OPTIONAL {{ ?a {part} ?set ; <{PROVML.position}> ?position ; {label} ?name ; "
            f"<{PROVML.attributeType}> ?type }} }}"
        )
        transformations: dict[tuple[str, str], TransformationDef] = {}
        sources: dict[tuple[str, str], dict[str, str]] = {}  # (df, t) → set → the step writing it
        attributes: dict[tuple[str, str], dict[int, tuple[str, str]]] = {}
        for row in self.store.query(query).rows:
            t, role, source, tag, position, name, kind = (getattr(v, "value", None) for v in row)
            key = nodes[t]
            definition = transformations.setdefault(key, TransformationDef(key[1]))
            if role == "output":
                definition.outputs.add(tag)
            elif role == "input":
                definition.inputs[tag] = None
            else:
                sources.setdefault(key, {})[tag] = source
                continue
            columns = attributes.setdefault((key[0], tag), {})
            if position is not None:
                columns[int(position)] = (name, kind)
        for key, definition in transformations.items():
            for tag in definition.inputs:  # an input is read from the step it depends on
                definition.inputs[tag] = sources.get(key, {}).get(tag)
        sets = {
            key: SetDef(key[1], tuple(columns[i] for i in sorted(columns)))
            for key, columns in attributes.items()
        }
        return transformations, sets

    def known_dataflows(self, dataflows: Collection[str]) -> set[str]:
        """The dataflows among ``dataflows`` that the store defines."""
        nodes = {self.iris.experiment(df).value: df for df in dataflows}
        values = " ".join(f"<{iri}>" for iri in sorted(nodes))
        query = (
            f"SELECT DISTINCT ?df WHERE {{ VALUES ?df {{ {values} }} "
            f"?set <{PROVML.isPartOf}> ?df ; a <{PROVML.DataflowSet}> }}"
        )
        return {nodes[row[0].value] for row in self.store.query(query).rows}
