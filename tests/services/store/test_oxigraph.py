"""Embedded on-disk store only: persistence across reopen and crash, the one-process lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from services.store import StoreError, open_store

REPO = Path(__file__).resolve().parents[3]
EX = "http://example.org/"
G = ox.NamedNode(EX + "graph/run")


def quads(n: int) -> list[ox.Quad]:
    return [
        ox.Quad(ox.NamedNode(f"{EX}epoch/{i}"), ox.NamedNode(EX + "loss"), ox.Literal(f"{i}.5"), G)
        for i in range(n)
    ]


def python(code: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def test_reopened_store_finds_everything(tmp_path: Path) -> None:
    uri = f"oxigraph:{tmp_path / 'data'}"
    with open_store(uri) as store:
        store.add(quads(20))
        store.load(
            b"<http://example.org/a> <http://example.org/b> 1 .", ox.RdfFormat.TURTLE, EX + "kg"
        )
    with open_store(uri) as store:
        assert store.count(G.value) == 20
        assert store.graphs() == [EX + "graph/run", EX + "kg"]
        assert set(
            ox.parse(store.dump(ox.RdfFormat.N_QUADS, G.value), ox.RdfFormat.N_QUADS)
        ) == set(quads(20))


def test_uri_forms_name_the_same_directory(tmp_path: Path) -> None:
    with open_store(f"oxigraph:{tmp_path / 'data'}") as store:
        store.add(quads(3))
    with open_store(f"oxigraph://{tmp_path / 'data'}") as store:
        assert store.count() == 3


@pytest.mark.parametrize("uri", ["oxigraph:", "oxigraph://", "memory:/some/path"])
def test_malformed_embedded_uri_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match="store URI"):
        open_store(uri)


def test_batch_is_durable_when_add_returns_even_if_the_process_dies(tmp_path: Path) -> None:
    path = tmp_path / "data"
    writer = python(
        f"""
        import os, signal
        import pyoxigraph as ox
        from services.store import open_store
        store = open_store("oxigraph:{path}")
        g = ox.NamedNode("{G.value}")
        store.add([ox.Quad(ox.NamedNode(f"{EX}epoch/{{i}}"), ox.NamedNode("{EX}loss"),
                           ox.Literal(f"{{i}}.5"), g) for i in range(500)])
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no flush, no interpreter shutdown
        """
    )
    assert writer.wait(60) == -signal.SIGKILL
    with open_store(f"oxigraph:{path}") as store:
        assert store.count() == 500
        assert ox.Quad(
            ox.NamedNode(EX + "epoch/499"), ox.NamedNode(EX + "loss"), ox.Literal("499.5"), G
        ) in set(ox.parse(store.dump(ox.RdfFormat.N_QUADS), ox.RdfFormat.N_QUADS))


def test_second_process_gets_a_clear_error_while_the_store_is_open(tmp_path: Path) -> None:
    path = tmp_path / "data"
    holder = python(
        f"""
        import sys
        from services.store import open_store
        store = open_store("oxigraph:{path}")
        print("open", flush=True)
        sys.stdin.readline()
        store.close()
        """,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(OSError) as caught:
            open_store(f"oxigraph:{path}")
        assert isinstance(caught.value, StoreError)
        message = str(caught.value)
        assert str(path) in message
        assert "already in use" in message
        assert "sparql+http" in message and "oxigraph serve" in message
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(30) == 0
    with open_store(f"oxigraph:{path}") as store:  # released once the holder closed it
        assert store.ready()


def test_store_closed_in_this_process_can_be_opened_again(tmp_path: Path) -> None:
    uri = f"oxigraph:{tmp_path / 'data'}"
    first = open_store(uri)
    first.add(quads(1))
    first.close()
    with open_store(uri) as second:
        assert second.count() == 1
        with pytest.raises(OSError, match="already in use"):
            open_store(uri)


def test_timed_out_streaming_query_stops_its_worker() -> None:
    with open_store("memory:") as store:
        store.add(quads(60))
        with pytest.raises(TimeoutError):
            store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=0.1)
        workers = [t for t in threading.enumerate() if t.name == "provml-store-query"]
        assert workers
        for worker in workers:  # 13 million rows would take minutes: it stops at the next one
            worker.join(30)
            assert not worker.is_alive()


@pytest.mark.parametrize("uri", ["memory:", "oxigraph:{tmp}/store"])
def test_the_readiness_write_probe_leaves_nothing_behind(tmp_path: Path, uri: str) -> None:
    with open_store(uri.format(tmp=tmp_path)) as store:
        store.add(quads(3))
        before = store.dump(ox.RdfFormat.N_QUADS)
        assert [store.ready() for _ in range(3)] == [True, True, True]
        assert store.dump(ox.RdfFormat.N_QUADS) == before
        assert (store.count(), store.graphs()) == (3, [G.value])
    assert not store.ready()  # closed


def _tables(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sst"))


def test_write_buffers_are_flushed_every_so_many_quads(tmp_path: Path) -> None:
    from services.store._oxigraph import OxigraphStore

    with OxigraphStore(f"oxigraph:{tmp_path / 'a'}", flush_every=100) as store:
        opened = _tables(tmp_path / "a")  # what opening a new store writes
        store.add(quads(60))
        assert _tables(tmp_path / "a") == opened  # still in the write buffers (and the log)
        store.add(quads(60)[:50])  # 110 quads written since the start: a flush
        assert len(_tables(tmp_path / "a")) > len(opened)
    with OxigraphStore(f"oxigraph:{tmp_path / 'b'}", flush_every=0) as store:
        opened = _tables(tmp_path / "b")
        store.add(quads(500))
        assert _tables(tmp_path / "b") == opened  # 0: left to RocksDB, which waits for 128 MiB


def test_the_generation_moves_with_every_write_and_only_then(tmp_path: Path) -> None:
    uri = f"oxigraph:{tmp_path / 'data'}"
    with open_store(uri) as store:
        instance, count = store.generation
        seen = [count]

        def moved() -> int:
            now = store.generation
            assert now[0] == instance
            assert now[1] > seen[-1], "a write left the generation where it was"
            seen.append(now[1])
            return now[1]

        store.add(quads(3))
        moved()
        store.update(f"INSERT DATA {{ GRAPH <{G.value}> {{ <{EX}a> <{EX}b> 1 }} }}")
        moved()
        store.load(
            b"<http://example.org/c> <http://example.org/d> 2 .", ox.RdfFormat.TURTLE, EX + "g2"
        )
        moved()
        store.remove_graph(EX + "g2")
        moved()
        # reads, dumps, the readiness write probe (which leaves nothing) and refused quads do not
        store.query("SELECT * WHERE { ?s ?p ?o }")
        store.dump(ox.RdfFormat.N_QUADS)
        assert store.ready() and store.count() == 4
        with pytest.raises(ValueError):
            store.add([ox.Quad(ox.BlankNode(), ox.NamedNode(EX + "p"), ox.Literal("x"), G)])
        assert store.generation == (instance, seen[-1])
    with open_store(uri) as again:  # the same files, another object: another instance
        assert again.generation[0] != instance
