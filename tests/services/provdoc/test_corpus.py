"""Round trip of every example document shipped with the installed ``prov`` package.

Each document is imported into a store and exported back in its own format. The imported quads, and
what ``prov`` makes of the export, must be the PROV-O that ``prov`` makes of the original (RDF
documents: the imported and the exported triples must be the file's triples). Both sides are
compared as canonical N-Quads, so a lost, added or altered triple fails. The documents that cannot
make the trip are listed, with the reason, in ``_corpus_expected.py``, and each is checked to still
fail in the same way."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

import pytest

from services.provdoc import ProvDocumentError, import_document
from services.store import Store, open_store
from tests.services.provdoc._corpus import (
    BASE,
    CORPUS,
    corpus_files,
    prov_own_round_trip,
    prov_reading,
    round_trip,
)
from tests.services.provdoc._corpus_expected import (
    EMPTY,
    EXPECTED_FAILURES,
    LOSSY,
    NO_PROV_O,
    UNREADABLE,
)

FILES = corpus_files()


@pytest.fixture(scope="module")
def corpus_store() -> Iterator[Store]:
    with open_store("memory:") as store:
        yield store


def _diff(expected: list[str], actual: list[str]) -> str:
    return "\n".join(difflib.unified_diff(expected, actual, "prov", "provml", lineterm="", n=0))


def _terms(nquads: list[str]) -> set[str]:
    """The IRIs and literals of canonical N-Quads lines (blank nodes left out)."""
    return {t for line in nquads for t in re.findall(r'<[^>]*>|"(?:[^"\\]|\\.)*"\S*', line)}


def test_the_corpus_is_the_one_the_expectations_were_made_for() -> None:
    names = {rel for rel, _ in FILES}
    assert len(FILES) > 1500
    assert {f.split("/")[0] for f in names} == {
        "json", "jsonld", "malformed", "provn", "rdf", "unification", "xml"
    }  # fmt: skip
    assert set(EXPECTED_FAILURES) <= names


@pytest.mark.parametrize(("rel", "fmt"), FILES, ids=[rel for rel, _ in FILES])
def test_round_trip(corpus_store: Store, rel: str, fmt: str) -> None:
    expectation = EXPECTED_FAILURES.get(rel)
    data = (CORPUS / rel).read_bytes()
    if expectation is None:
        expected, imported, back = round_trip(corpus_store, rel, fmt)
        assert expected, "the document has statements"
        assert imported == expected, _diff(expected, imported)
        assert back == expected, _diff(expected, back)
    elif expectation == UNREADABLE:
        with pytest.raises(ProvDocumentError, match=f"^unparsable {fmt} document: "):
            import_document(data, fmt, base_iri=BASE)
        with pytest.raises(Exception):  # noqa: B017 - whatever prov's parsers raise
            prov_reading(data, fmt)
    elif expectation == NO_PROV_O:
        with pytest.raises(ProvDocumentError):
            round_trip(corpus_store, rel, fmt)
        with pytest.raises(Exception):  # noqa: B017 - prov's own PROV-O round trip fails too
            prov_own_round_trip(data, fmt)
    elif expectation == LOSSY:
        expected, imported, back = round_trip(corpus_store, rel, fmt)
        assert imported == expected, _diff(expected, imported)
        assert back != expected
        assert prov_own_round_trip(data, fmt) != expected
        assert _terms(back) <= _terms(expected), _diff(expected, back)
    else:
        assert expectation == EMPTY
        with pytest.raises(ProvDocumentError, match="holds no statements"):
            import_document(data, fmt, base_iri=BASE)
    assert corpus_store.count() == 0, "the round trip leaves the store empty"
