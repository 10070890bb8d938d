"""Dereferenceable IRIs: GET /id/{path} describes {base}{path}."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox
from fastapi.testclient import TestClient

from .conftest import MEASURE, RUN, USED


def _triples(r, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(r.content, format=fmt)}


def test_turtle_by_default_with_outgoing_and_incoming_links(client: TestClient) -> None:
    r = client.get("/id/run/r1")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    triples = _triples(r, ox.RdfFormat.TURTLE)
    assert len(triples) == 3
    assert ox.Triple(RUN, USED, MEASURE) in triples
    incoming = _triples(client.get("/id/measure/val%20loss"), ox.RdfFormat.TURTLE)
    assert ox.Triple(RUN, USED, MEASURE) in incoming  # pointing to it
    assert len(incoming) == 2


def test_json_ld_and_n_triples(client: TestClient) -> None:
    r = client.get("/id/run/r1", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert json.loads(r.text)  # valid JSON
    assert _triples(r, ox.RdfFormat.JSON_LD) == _triples(
        client.get("/id/run/r1"), ox.RdfFormat.TURTLE
    )
    nt = client.get("/id/run/r1", headers={"Accept": "application/n-triples"})
    assert len(_triples(nt, ox.RdfFormat.N_TRIPLES)) == 3


def test_html_page_escapes_and_links(client: TestClient) -> None:
    r = client.get("/id/run/r1", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.headers["content-type"].startswith("text/html")
    assert "digits &lt;run&gt; &amp; co" in r.text
    assert '<a href="/id/measure/val%20loss">' in r.text
    assert "prov:used" in r.text


def test_unknown_iri_is_404_json(client: TestClient) -> None:
    r = client.get("/id/run/nope")
    assert r.status_code == 404
    assert r.json() == {
        "error": "not_found",
        "message": "nothing is known about http://provml.localhost/id/run/nope",
        "details": [
            {
                "field": "path",
                "message": "nothing is known about http://provml.localhost/id/run/nope",
            }
        ],
    }


def test_invalid_iri_is_400(client: TestClient) -> None:
    r = client.get("/id/run/a|b")
    assert (r.status_code, r.json()["error"]) == (400, "bad_request")
    assert r.json()["details"][0]["field"] == "path"
    assert "a|b" in r.json()["message"]


def test_not_acceptable(client: TestClient) -> None:
    r = client.get("/id/run/r1", headers={"Accept": "image/png"})
    assert (r.status_code, r.json()["error"]) == (406, "not_acceptable")


def test_read_token_guards_linked_data(make_client: Callable[..., TestClient]) -> None:
    client = make_client(read_token="r", token="w")
    assert client.get("/id/run/r1").status_code == 401
    assert client.get("/id/run/r1", headers={"Authorization": "Bearer r"}).status_code == 200
    assert client.get("/id/run/r1", headers={"Authorization": "Bearer w"}).status_code == 200
    assert client.get("/id/run/r1", headers={"Authorization": "Bearer x"}).status_code == 401
