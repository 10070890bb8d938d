"""Content negotiation: pick the representation an ``Accept`` header prefers among the ones offered.

>>> choose("text/csv;q=0.5, application/json", ["application/sparql-results+xml", "text/csv"])
'text/csv'
>>> choose("*/*", ["text/turtle", "application/ld+json"])
'text/turtle'
>>> choose("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["choose", "parse_accept"]

# Common short names clients send for the SPARQL result and RDF formats.
_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json+ld": "application/ld+json",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their quality, in the order given (``*/*`` when
    absent)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _match(media_range: str, offer: str) -> int:
    """Specificity of the match of ``media_range`` with ``offer`` (3 exact, 2 alias, 1 type/*, 0
    */*), -1 if none."""
    if media_range == offer:
        return 3
    if _ALIASES.get(media_range) == offer:
        return 2
    if media_range == "*/*":
        return 0
    if media_range.endswith("/*") and offer.startswith(media_range[:-1]):
        return 1
    return -1


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer with the highest quality (most specific range wins; ties go to the order of
    ``offers``)."""
    ranges = parse_accept(accept)
    best: tuple[float, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        quality, specificity = -1.0, -1
        for media, q in ranges:
            spec = _match(media, offer)
            if spec > specificity:
                quality, specificity = q, spec
        if specificity < 0 or quality <= 0:
            continue
        key = (quality, -index)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen
