"""Choosing a store by URI: built-in schemes, register_store, entry-point plugins, public API."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import services.store
from services.store import Store, StoreError, open_store, register_store
from services.store._oxigraph import OxigraphStore
from services.store._registry import StoreRegistry
from services.store._sparql import SparqlStore


def test_public_api_is_exact() -> None:
    assert sorted(services.store.__all__) == sorted(
        [
            "AskResult",
            "GRAPH_MEDIA_TYPES",
            "GraphResult",
            "QueryRefusedError",
            "QueryResult",
            "ResultTruncatedError",
            "SOLUTIONS_MEDIA_TYPES",
            "SelectResult",
            "Store",
            "StoreError",
            "UpdateConflictError",
            "open_store",
            "register_store",
            "serialize_result",
        ]
    )
    for name in services.store.__all__:
        assert getattr(services.store, name) is not None


@pytest.mark.parametrize(
    ("uri", "cls"),
    [
        ("memory:", OxigraphStore),
        ("MEMORY:", OxigraphStore),
        ("sparql+http://127.0.0.1:9/", SparqlStore),
        ("sparql+https://example.org/ds", SparqlStore),
    ],
)
def test_builtin_schemes(uri: str, cls: type[Store]) -> None:
    with open_store(uri) as store:
        assert type(store) is cls
        assert store.uri == uri


def test_on_disk_scheme(tmp_path: Path) -> None:
    with open_store(f"oxigraph:{tmp_path}/db") as store:
        assert isinstance(store, OxigraphStore)
        assert store.path == tmp_path / "db"
    assert (tmp_path / "db").is_dir()


@pytest.mark.parametrize("uri", ["provml-data", "", ":memory", "nosuch:thing"])
def test_unknown_or_malformed_uri_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match=r"store URI|no store backend") as caught:
        open_store(uri)
    assert isinstance(caught.value, StoreError)


def test_register_store_adds_a_scheme() -> None:
    opened: list[str] = []

    def build(uri: str) -> Store:
        opened.append(uri)
        return OxigraphStore("memory:")

    register_store("test-scheme", build)
    with open_store("test-scheme:anything") as store:
        assert isinstance(store, OxigraphStore)
    assert opened == ["test-scheme:anything"]


PLUGIN = """
from services.store._oxigraph import OxigraphStore

class PluginStore(OxigraphStore):
    def __init__(self, uri):
        super().__init__("memory:")
        self.uri = uri
"""


@pytest.fixture
def installed_plugin(tmp_path: Path) -> Iterator[None]:
    """A distribution on sys.path declaring a ``provml.stores`` entry point, as pip installs it."""
    (tmp_path / "provml_test_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "provml_test_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: provml-test-plugin\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(
            """
            [provml.stores]
            plugin = provml_test_plugin:PluginStore
            broken = provml_test_plugin:Missing
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    yield
    sys.path.remove(str(tmp_path))
    sys.modules.pop("provml_test_plugin", None)


@pytest.mark.usefixtures("installed_plugin")
def test_entry_point_plugin_is_found() -> None:
    registry = StoreRegistry()
    with pytest.raises(StoreError, match="broken"):
        registry.open("plugin:x")  # a broken plugin is reported by name, not skipped silently
    registry = StoreRegistry()
    registry.register("broken", OxigraphStore)
    store = registry.open("plugin:some/where")
    assert type(store).__name__ == "PluginStore"
    assert store.uri == "plugin:some/where"
    assert "plugin" in registry.schemes()


def test_project_declares_its_builtin_entry_points() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[3] / "pyproject.toml").read_text())
    declared = pyproject["project"]["entry-points"]["provml.stores"]
    assert set(declared) == {"oxigraph", "memory", "sparql+http", "sparql+https"}
    for target in declared.values():
        module, _, attr = target.partition(":")
        assert issubclass(getattr(__import__(module, fromlist=[attr]), attr), Store)
