"""Version inference on ingest (OMProv): check the batch's registered versions, place the models
its records complete, and commit the batch with the inferred revisions it changes in one
transaction.

An output object's inferred graph is derived data: a function of the captured facts only (the
registered versions and the models' jobs), whatever their order, so a replay adds nothing. It is
kept incrementally: ``VersionInference`` holds an index per object (``_versions_index``), read from
the store on first use, and writes only the quads that change (``DELETE DATA`` / ``INSERT DATA`` in
the same update request as the batch). Each inferred graph stores the digest of the facts it comes
from: before changing an object the index compares it with its own and reads the object again when
another writer (a second manager on the same remote store) changed it; an object whose stored digest
does not match its facts is recomputed and its inferred graph replaced. One manager serialises its
writes with its write lock; two managers writing versions of one object at the same instant may
leave that object's inferred graph stale until the next write to it, which repairs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from provlake.vocab import PROV, PROVML, RDF, RDFS

from ..store._base import SelectResult, Store
from ..store._quads import delete_data, insert_data, sparql_iri
from ._commits import Pending
from ._exceptions import InvalidBatch, VersionConflict
from ._iris import Iris
from ._mapping_versions import MODEL_KIND, digest_quad, edge_quads, member_quads, object_quads
from ._records import EntityRecord, RunStart, SectionStart, StageStart, UsedRecord, VersionRecord
from ._versions_facts import Facts, Job
from ._versions_index import Change, InputGraph, OutputGraph

__all__ = ["VersionInference"]

_INPUT_VERSIONS = f"""
SELECT ?v ?version ?digest ?location ?kind ?name ?parent ?weight ?measure WHERE {{
  ?v <{PROV.specializationOf}> <{{obj}}> ; a <{PROVML.ObjectVersion}> ;
     <{PROVML.version}> ?version .
  <{{obj}}> <{PROVML.objectKind}> ?kind ; <{RDFS.label}> ?name .
  OPTIONAL {{ ?v <{PROVML.digest}> ?digest }}
  OPTIONAL {{ ?v <{PROVML.location}> ?location }}
  OPTIONAL {{ ?v <{PROV.qualifiedRevision}> ?r . ?r a <{PROVML.DeclaredRevision}> ;
              <{PROV.entity}> ?parent ; <{PROVML.weight}> ?weight .
              OPTIONAL {{ ?r <{PROVML.differenceMeasure}> ?measure }} }}
}}"""


class _Plan:
    """What one batch changes in the inferred graphs: quads to remove and to add (a quad removed
    then added again cancels out), graphs rewritten whole."""

    def __init__(self) -> None:
        self.remove: dict[ox.Quad, None] = {}
        self.add: dict[ox.Quad, None] = {}
        self.replace: set[str] = set()

    def put(self, quads: Sequence[ox.Quad], *, removed: bool = False) -> None:
        mine, other = (self.remove, self.add) if removed else (self.add, self.remove)
        for quad in quads:
            if quad in other:
                del other[quad]
            else:
                mine[quad] = None

    def __bool__(self) -> bool:
        return bool(self.remove or self.add or self.replace)


class VersionInference:
    """The version index of one store (one base IRI); ``commit`` stands in for ``store.add``."""

    def __init__(self, store: Store, iris: Iris) -> None:
        self.store, self.iris = store, iris
        self.entity_prefix = iris.entity("x").value[:-1]
        self.inputs: dict[str, InputGraph] = {}  # input object IRI → its versions (IRIs)
        self.by_version: dict[str, dict[str, str]] = {}  # object IRI → version id → version IRI
        self.kinds: dict[str, tuple[str, str]] = {}  # input object IRI → (kind, name)
        self.version_object: dict[str, str] = {}  # input version IRI → object IRI
        self.meta: dict[str, tuple] = {}  # input version IRI → (version, digest, location, measure)
        self.outputs: dict[str, OutputGraph] = {}  # model name → its versions (model IRIs)
        self.placed: dict[str, str] = {}  # model IRI → name of its output object
        self.seen_versions = False
        self._checked: tuple[Any, list] = (None, [])

    # -- the entry points ------------------------------------------------------------------------

    def check(self, records: Sequence[Any]) -> None:
        """Refuse (400, 409) a batch whose registered versions contradict the store, before it is
        mapped and validated; the checked versions are added to the index by ``commit``."""
        versions = [(i, r) for i, r in enumerate(records) if isinstance(r, VersionRecord)]
        self._checked = (records, self._check_versions(versions, Facts(self.store, self.iris.base)))

    def commit(self, records: Sequence[Any] | None, quads: list[ox.Quad]) -> None:
        """Write the batch's quads and the inferred revisions they change, atomically."""
        batch = Pending(records, quads)
        self.commit_group([batch])
        if batch.error is not None:
            raise batch.error

    def commit_group(self, batches: Sequence[Pending]) -> None:
        """Write several batches, each with the inferred revisions it changes, under one lock
        (call holding the write lock): in one transaction while the version graphs play no part,
        else each batch is planned on the store with the batches before it written, exactly as if
        each had come alone. A batch whose versions the index refuses gets its ``error`` and is
        left out; a failed write raises (the batches it held are not stored)."""
        planned: list[tuple[Pending, _Plan | None]] = []
        try:
            for batch in batches:
                records = batch.records or []
                if planned and self._reads_versions(records):
                    self._write(planned)
                    planned = []
                self._checked = (None, [])  # checked before other batches changed the index
                try:
                    planned.append((batch, self._plan(records, batch.quads)))
                except (InvalidBatch, VersionConflict) as exc:
                    batch.error = exc
                    self._write(planned)
                    planned = []
                    self.reset()  # the refused batch may have changed the index halfway
            self._write(planned)
        except BaseException:
            self.reset()
            raise

    def _reads_versions(self, records: Sequence[Any]) -> bool:
        """Whether planning the batch reads the version graphs (and so the store as it is)."""
        relevant = any(
            isinstance(r, VersionRecord | RunStart | StageStart | SectionStart | UsedRecord)
            or (isinstance(r, EntityRecord) and r.kind == "model" and r.generated_by)
            for r in records
        )
        return relevant and (
            any(isinstance(r, VersionRecord) for r in records) or self._store_has_versions()
        )

    def _write(self, planned: list[tuple[Pending, _Plan | None]]) -> None:
        if not any(plan for _, plan in planned):
            quads = [q for batch, _ in planned for q in batch.quads]
            if quads:
                self.store.add(quads)
            for batch, _ in planned:
                batch.committed = True
            return
        update = []
        for batch, plan in planned:
            if plan:
                update += [f"DROP SILENT GRAPH {sparql_iri(g)}" for g in sorted(plan.replace)]
                if plan.remove:
                    update.append(delete_data(plan.remove))
            added = [*batch.quads, *plan.add] if plan else batch.quads
            if added:
                update.append(insert_data(added))
        self.store.update(" ;\n".join(update))
        for batch, _ in planned:
            batch.committed = True

    def reset(self) -> None:
        """Forget the index (after a failed write): it is read again from the store when needed."""
        self.__init__(self.store, self.iris)  # type: ignore[misc]

    # -- planning ----------------------------------------------------------------------------------

    def _plan(self, records: Sequence[Any], quads: list[ox.Quad]) -> _Plan | None:
        versions = [(i, r) for i, r in enumerate(records) if isinstance(r, VersionRecord)]
        models = {
            self.iris.entity(r.id).value
            for r in records
            if isinstance(r, EntityRecord) and r.kind == "model" and r.generated_by
        }
        started = {
            self.iris.activity(r.id, r.run).value
            for r in records
            if isinstance(r, RunStart | StageStart | SectionStart)
        }
        used = _used_links(records, self.iris)
        if not (versions or models or started or used):
            return None
        if not versions and not self._store_has_versions():
            return None
        self.seen_versions = True
        facts = Facts(self.store, self.iris.base, quads)
        checked, pending = self._checked
        self._checked = (None, [])
        if checked is not records:
            pending = self._check_versions(versions, facts)
        for obj, node, parents, meta in pending:
            self._add_input(obj, node, parents, meta)
        new_versions = {node for _, node, _, _ in pending}
        candidates = {e for _, e in used} - set(self.version_object)
        facts.fetch(candidates)
        triggers = started | {
            x
            for x, e in used
            if e in self.version_object or PROVML.ObjectVersion in facts.values(e, RDF.type)
        }
        triggers |= facts.users_of(new_versions)
        models |= facts.models_generated_within(triggers)
        if not models:
            return None
        jobs = facts.jobs(sorted(models), self.version_object)
        return self._place(jobs)

    def _store_has_versions(self) -> bool:
        if self.seen_versions:
            return True
        return bool(self.store.query(f"ASK {{ ?v a <{PROVML.ObjectVersion}> }}").value)

    # -- registered versions of input objects ------------------------------------------------------

    def _check_versions(self, versions: list[tuple[int, VersionRecord]], facts: Facts) -> list:
        """Check each registered version against the index, the store and the batch's earlier
        records; returns the new ones as (object, version IRI, parents, meta), without changing the
        index."""
        pending: list = []
        if not versions:
            return pending
        mentioned = {self.iris.entity(r.id).value for _, r in versions}
        mentioned |= {self.iris.entity(link.id).value for _, r in versions for link in r.revises}
        facts.fetch(mentioned)
        batch: dict[str, tuple] = {}  # version IRI → (object, parents, meta) of earlier records
        for i, r in versions:
            obj = self.iris.versioned_object(r.kind, r.name).value
            node = self.iris.entity(r.id).value
            parents = [(self.iris.entity(link.id).value, link.weight) for link in r.revises]
            graph = self._input(obj, r.kind, r.name) if obj not in self.inputs else self.inputs[obj]
            if (
                node not in graph
                and node not in batch
                and facts.values(node, PROV.specializationOf)
            ):
                graph = self._input(obj, r.kind, r.name)  # registered by another writer
            meta = (r.version, r.digest, r.location, r.measure)
            owner = self.version_object.get(node) or (batch[node][0] if node in batch else obj)
            others = (facts.values(node, PROV.specializationOf) | {owner}) - {obj}
            if others:
                raise VersionConflict(f"records[{i}].id", f"{r.id} is a version of {min(others)}")
            if node in graph or node in batch:
                self._same_version(i, r, node, parents, meta, batch)
                continue
            clash = self.by_version[obj].get(r.version) or next(
                (v for v, (o, _, m) in batch.items() if o == obj and m[0] == r.version), None
            )
            if clash is not None:
                raise VersionConflict(
                    f"records[{i}].version",
                    f"version {r.version!r} of {r.kind} {r.name!r} is registered as "
                    f"{self._id(clash)}",
                )
            for j, (parent, _) in enumerate(parents):
                if parent not in graph and batch.get(parent, (None,))[0] != obj:
                    problem = self._bad_parent(parent, r, facts, batch)
                    raise InvalidBatch(f"records[{i}].revises[{j}].id", problem)
            batch[node] = (obj, parents, meta)
            pending.append((obj, node, parents, meta))
        return pending

    def _bad_parent(self, parent: str, r: VersionRecord, facts: Facts, batch: dict) -> str:
        where = set(facts.values(parent, PROV.specializationOf))
        if parent in self.version_object:
            where.add(self.version_object[parent])
        if parent in batch:
            where.add(batch[parent][0])
        if where:
            return f"revises {self._id(parent)}, a version of another object ({min(where)})"
        return (
            f"revises {self._id(parent)}, which is not a registered version of {r.kind} "
            f"{r.name!r}: register the revised version first"
        )

    def _same_version(
        self, i: int, r: VersionRecord, node: str, parents: list, meta: tuple, batch: dict
    ) -> None:
        """A version registered again must say what it said the first time."""
        if node in batch:
            stored, known = sorted(batch[node][1]), batch[node][2]
        else:
            graph = self.inputs[self.version_object[node]]
            stored = sorted((graph.iris[p], w) for p, w in graph.parents[graph.index[node]])
            known = self.meta[node]
        names = ("version", "digest", "location", "measure")
        for name, old, new in zip(names, known, meta, strict=True):
            if old is not None and new is not None and old != new:
                raise VersionConflict(
                    f"records[{i}].{name}",
                    f"{r.kind} {r.name!r} version {self._id(node)} was registered with {name} "
                    f"{old!r}",
                )
        if stored != sorted(parents):
            raise VersionConflict(
                f"records[{i}].revises",
                f"{r.kind} {r.name!r} version {r.version!r} was registered revising "
                f"{[(self._id(p), w) for p, w in stored]}",
            )

    def _add_input(self, obj: str, node: str, parents: list, meta: tuple) -> None:
        self.inputs[obj].add(node, parents)
        self.by_version[obj][meta[0]] = node
        self.version_object[node] = obj
        self.meta[node] = meta

    def _input(self, obj: str, kind: str | None = None, name: str | None = None) -> InputGraph:
        """The index of an input object, completed with the versions the store has and it lacks."""
        if obj not in self.inputs:
            self.inputs[obj] = InputGraph(obj)
            self.by_version[obj] = {}
        if kind is not None and name is not None:
            self.kinds.setdefault(obj, (kind, name))
        graph = self.inputs[obj]
        rows = self.store.query(_INPUT_VERSIONS.replace("{obj}", obj))
        assert isinstance(rows, SelectResult)
        found: dict[str, list] = {}
        for v, version, digest, location, kind_, name_, parent, weight, measure in rows.rows:
            self.kinds.setdefault(obj, (kind_.value, name_.value))
            entry = found.setdefault(
                v.value, [version.value, _text(digest), _text(location), [], None]
            )
            if parent is not None:
                entry[3].append((parent.value, float(weight.value)))
                entry[4] = _text(measure)
        pending = {v: e for v, e in found.items() if v not in graph}
        while pending:  # parents first
            ready = sorted(v for v, e in pending.items() if all(p in graph for p, _ in e[3]))
            if not ready:
                raise InvalidBatch("store", f"the stored versions of {obj} do not form a DAG")
            for v in ready:
                version, digest, location, parents, measure = pending.pop(v)
                self._add_input(obj, v, parents, (version, digest, location, measure))
        return graph

    def _input_with(self, obj: str, version: str) -> InputGraph:
        graph = self.inputs.get(obj)
        if graph is None or version not in graph:
            graph = self._input(obj)
        return graph

    # -- output versions ---------------------------------------------------------------------------

    def _place(self, jobs: dict[str, Job | None]) -> _Plan:
        plan = _Plan()
        names = {self.placed[m] for m in jobs if m in self.placed}
        names |= {job.name for job in jobs.values() if job is not None}
        stored = self._stored_digests(sorted(n for n in names if n in self.outputs))
        for name in names:
            if name in self.outputs and not _matches(stored.get(name), self.outputs[name].digest):
                self._drop_output(name)
        rewrite = {name for name in sorted(names) if name not in self.outputs and self._load(name)}
        start = {name: self.outputs[name].digest for name in names}
        for m, job in sorted(jobs.items()):
            name = self.placed.get(m)
            if name is not None:
                graph = self.outputs[name]
                old = graph.facts[m]
                if job is not None and job.name == name and old == (job.inputs, job.time):
                    continue
                change = graph.remove(m)
                del self.placed[m]
                if name not in rewrite:
                    self._changed(plan, name, graph, change, {m: old})
                    plan.put(member_quads(self.iris, name, self._id(m)), removed=True)
            if job is not None:
                graph = self.outputs[job.name]
                inputs = {self._input_with(p, v): v for p, v in job.inputs.items()}
                change = graph.insert(m, inputs, job.time)
                self.placed[m] = job.name
                if job.name not in rewrite:
                    self._changed(plan, job.name, graph, change, {})
                    plan.put(member_quads(self.iris, job.name, self._id(m)))
                    plan.put(object_quads(self.iris, MODEL_KIND, job.name))
        for name in names:
            graph = self.outputs[name]
            if name in rewrite:
                plan.replace.add(self.iris.inferred_graph(MODEL_KIND, name).value)
                plan.put(self._all_quads(name, graph))
            elif start[name] != graph.digest:
                if start[name]:
                    plan.put([digest_quad(self.iris, name, start[name])], removed=True)
                if graph.digest:
                    plan.put([digest_quad(self.iris, name, graph.digest)])
        return plan

    def _changed(
        self, plan: _Plan, name: str, graph: OutputGraph, change: Change, old: dict
    ) -> None:
        for older, newer in change.removed:
            plan.put(self._edge(name, graph, older, newer, old), removed=True)
        for older, newer in change.added:
            plan.put(self._edge(name, graph, older, newer, old))

    def _edge(self, name: str, graph: OutputGraph, older: str, newer: str, old: dict) -> list:
        """The quads of one inferred revision (``old`` holds the facts of a removed version)."""
        before = (old.get(older) or graph.facts[older])[0]
        after = (old.get(newer) or graph.facts[newer])[0]
        routes, total = [], 0.0
        for obj in sorted(before):
            inputs = self.inputs[obj]
            distance = inputs.distance(before[obj], after[obj])
            total += distance
            hops = [(self._id(a), self._id(b)) for a, b in inputs.route(before[obj], after[obj])]
            kind, input_name = self.kinds[obj]
            routes.append(
                (kind, input_name, self._id(before[obj]), self._id(after[obj]), distance, hops)
            )
        weight = total / len(before)
        return edge_quads(self.iris, name, self._id(older), self._id(newer), weight, routes)

    def _all_quads(self, name: str, graph: OutputGraph) -> list[ox.Quad]:
        out = object_quads(self.iris, MODEL_KIND, name) if len(graph) else []
        for m in graph.where:
            out += member_quads(self.iris, name, self._id(m))
        for older, newer in graph.edges():
            out += self._edge(name, graph, older, newer, {})
        if graph.digest:
            out.append(digest_quad(self.iris, name, graph.digest))
        return out

    def _load(self, name: str) -> bool:
        """Read output object ``name`` from the store's facts; True when its stored inferred graph
        does not match them (it must be rewritten)."""
        facts = Facts(self.store, self.iris.base)
        jobs = facts.jobs(sorted(facts.models_named(name)), self.version_object)
        graph = self.outputs[name] = OutputGraph(name)
        ordered = sorted((job.time, m) for m, job in jobs.items() if job and job.name == name)
        for time, m in ordered:
            job = jobs[m]
            inputs = {self._input_with(p, v): v for p, v in job.inputs.items()}
            graph.insert(m, inputs, time)
            self.placed[m] = name
        return not _matches(self._stored_digests([name]).get(name), graph.digest)

    def _drop_output(self, name: str) -> None:
        for model in self.outputs.pop(name).where:
            self.placed.pop(model, None)

    def _stored_digests(self, names: list[str]) -> dict[str, set[int]]:
        if not names:
            return {}
        objects = {self.iris.versioned_object(MODEL_KIND, n).value: n for n in names}
        values = " ".join(f"<{o}>" for o in sorted(objects))
        rows = self.store.query(
            f"SELECT ?o ?d WHERE {{ VALUES ?o {{ {values} }} ?o <{PROVML.inferenceDigest}> ?d }}"
        )
        assert isinstance(rows, SelectResult)
        found: dict[str, set[int]] = {}
        for o, d in rows.rows:
            found.setdefault(objects[o.value], set()).add(int(d.value, 16))
        return found

    def _id(self, iri: str) -> str:
        return iri[len(self.entity_prefix) :]


def _matches(stored: set[int] | None, digest: int) -> bool:
    """The stored digests are exactly this one (none stored for an empty object)."""
    return stored == {digest} if digest else not stored


def _text(term: ox.Literal | None) -> str | None:
    return None if term is None else term.value


def _used_links(records: Sequence[Any], iris: Iris) -> set[tuple[str, str]]:
    """(execution IRI, entity IRI) of the batch's ``used`` links."""
    links = set()
    for r in records:
        if isinstance(r, StageStart):
            links |= {(iris.execution(r.id).value, iris.entity(e).value) for e in r.used}
        elif isinstance(r, UsedRecord):
            links.add((iris.activity(r.execution, r.run).value, iris.entity(r.entity).value))
    return links
