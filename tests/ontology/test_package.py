"""The ``ontology`` package: exact public API and file lookup."""

from __future__ import annotations

import inspect

import pytest

import ontology


def test_all_lists_exactly_the_public_names():
    public = {
        name
        for name, value in vars(ontology).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and (getattr(value, "__module__", None) == ontology.__name__ or isinstance(value, str))
    }
    assert sorted(ontology.__all__) == sorted(public)


def test_path_finds_shipped_files_and_rejects_others():
    assert ontology.path(ontology.SHAPES).read_text(encoding="utf-8").startswith("@prefix")
    assert ontology.path(ontology.CONTEXT).suffix == ".jsonld"
    with pytest.raises(FileNotFoundError, match=r"nope\.ttl"):
        ontology.path("nope.ttl")


def test_examples_are_listed_by_kind():
    valid = ontology.examples("valid")
    assert [p.name for p in valid] == sorted(p.name for p in valid)
    assert all(p.parent.name == "valid" for p in valid)
    with pytest.raises(ValueError, match="valid"):
        ontology.examples("broken")


def test_package_docstring_examples_run():
    import doctest

    result = doctest.testmod(ontology)
    assert result.attempted >= 2
    assert result.failed == 0
