"""Stores chosen by URI: a registry from URI scheme to builder, filled with the built-in backends
and with the ``provml.stores`` entry points of installed distributions (mlflow
``TrackingStoreRegistry`` style).

A builder is any callable taking the whole URI and returning a ``Store``; a store class whose
constructor takes the URI is one. A third-party package adds a scheme in its ``pyproject.toml``::

    [project.entry-points."provml.stores"]
    mystore = "mypackage.store:MyStore"
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib.metadata import entry_points

from ._base import Store
from ._errors import InvalidDataError, StoreError
from ._oxigraph import OxigraphStore
from ._sparql import SparqlStore

__all__ = ["ENTRY_POINT_GROUP", "StoreBuilder", "StoreRegistry", "open_store", "register_store"]

ENTRY_POINT_GROUP = "provml.stores"

StoreBuilder = Callable[[str], Store]


class StoreRegistry:
    """Maps URI schemes to store builders; reads the entry points at the first unknown scheme."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self.group = group
        self._builders: dict[str, StoreBuilder] = {}
        self._entry_points_loaded = False
        self._lock = threading.Lock()

    def register(self, scheme: str, builder: StoreBuilder) -> None:
        """Build the URIs of ``scheme`` with ``builder``, replacing any earlier builder."""
        with self._lock:
            self._builders[scheme.lower()] = builder

    def schemes(self) -> list[str]:
        """The registered schemes, sorted."""
        return sorted(self._builders)

    def _load_entry_points(self) -> None:
        with self._lock:
            if self._entry_points_loaded:
                return
            self._entry_points_loaded = True
            known = set(self._builders)
            found = [ep for ep in entry_points(group=self.group) if ep.name.lower() not in known]
        for entry_point in found:
            try:
                builder = entry_point.load()
            except Exception as exc:
                raise StoreError(
                    f"cannot load the store backend {entry_point.name!r} "
                    f"({entry_point.value}): {exc}"
                ) from exc
            self.register(entry_point.name, builder)

    def open(self, uri: str) -> Store:
        """Build the store for ``uri`` with the builder of its scheme."""
        scheme, colon, _ = uri.partition(":")
        if not colon or not scheme:
            raise InvalidDataError(
                f"not a store URI: {uri!r} (e.g. 'oxigraph:./provml-data', 'memory:', "
                "'sparql+http://localhost:7878')"
            )
        builder = self._builders.get(scheme.lower())
        if builder is None:
            self._load_entry_points()
            builder = self._builders.get(scheme.lower())
        if builder is None:
            raise InvalidDataError(
                f"no store backend for the scheme {scheme!r} in {uri!r}; known: {self.schemes()}"
            )
        return builder(uri)


_registry = StoreRegistry()
_registry.register("oxigraph", OxigraphStore)
_registry.register("memory", OxigraphStore)
_registry.register("sparql+http", SparqlStore)
_registry.register("sparql+https", SparqlStore)


def register_store(scheme: str, builder: StoreBuilder) -> None:
    """Make ``open_store`` build the URIs of ``scheme`` (``"mystore"`` for ``mystore:...``)."""
    _registry.register(scheme, builder)


def open_store(uri: str) -> Store:
    """Open the store named by ``uri``.

    Built in: ``oxigraph:PATH``, ``memory:``, ``sparql+http(s)://...``; others come from plugins.

    >>> with open_store("memory:") as store:
    ...     store.count()
    0
    """
    return _registry.open(uri)
