"""The schema of an item and a safe, size-capped rendering of it.

A schema is a JSON value: a scalar's type name (``"int"``, ``"str"``), an array as ``[shape,
dtype]``, a dict as its keys' schemas, a tuple or list as the list of its elements' schemas (a long
homogeneous list as ``{"list": schema, "length": n}``).

>>> import numpy as np
>>> schema_text({"image": np.zeros((3, 8, 8), "float32"), "label": 1})
'{"image":[[3,8,8],"float32"],"label":"int"}'
>>> schema_text((np.zeros(2), "a"))
'[[[2],"float64"],"str"]'
>>> render({"image": np.arange(6).reshape(2, 3), "label": 1})
"{'image': array(shape=[2, 3], dtype=int64, values=[0, 1, 2, 3, 4, ...]), 'label': 1}"
>>> render((np.linspace(0, 1, 3, dtype="float32"), 1 / 3))
'(array(shape=[3], dtype=float32, values=[0, 0.5, 1]), 0.3333)'
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["MAX_RENDERED", "render", "schema_of", "schema_text"]

MAX_RENDERED = 400  # characters of a rendered sample
_SHOWN_VALUES = 5  # values of an array shown in a sample
_SHOWN_ELEMENTS = 8  # elements of a sequence or keys of a mapping described one by one


def schema_of(item: Any, depth: int = 0) -> Any:
    """The schema of ``item`` as a JSON value (nested up to a few levels)."""
    if isinstance(item, np.ndarray):
        return [list(item.shape), str(item.dtype)]
    if isinstance(item, np.generic):
        return str(item.dtype)
    if depth > 4:
        return type(item).__name__
    if isinstance(item, dict):
        keys = list(item)[:_SHOWN_ELEMENTS]
        return {str(k): schema_of(item[k], depth + 1) for k in keys}
    if isinstance(item, tuple | list):
        if len(item) > _SHOWN_ELEMENTS:
            first = schema_of(item[0], depth + 1)
            return {"list": first, "length": len(item)}
        return [schema_of(element, depth + 1) for element in item]
    return type(item).__name__


_SCALARS = frozenset({int, float, str, bool, bytes, type(None)})
_TEXTS: dict[Any, str] = {}  # signature -> schema text, for the hot inspections


def _signature(item: Any, depth: int = 0) -> Any:
    """A hashable key equal for items of equal schema (cheaper than the schema's text)."""
    cls = item.__class__
    if cls in _SCALARS:
        return cls
    if cls is np.ndarray:
        return (item.shape, item.dtype)
    if depth > 4:
        return cls
    if cls is tuple or cls is list:
        if len(item) > _SHOWN_ELEMENTS:
            return (cls, len(item), _signature(item[0], depth + 1))
        return (cls, *(_signature(element, depth + 1) for element in item))
    if cls is dict:
        keys = list(item)[:_SHOWN_ELEMENTS]
        return (cls, len(item), *((k, _signature(item[k], depth + 1)) for k in keys))
    return None  # anything else: no key, the schema is computed


def schema_text(item: Any) -> str:
    """The canonical text of ``item``'s schema (equal texts: equal schemas)."""
    key = _signature(item)
    text = _TEXTS.get(key) if key is not None else None
    if text is None:
        text = json.dumps(schema_of(item), sort_keys=True, separators=(",", ":"))
        if key is not None:
            if len(_TEXTS) >= 1024:
                _TEXTS.clear()
            _TEXTS[key] = text
    return text


def _render(item: Any, depth: int) -> str:
    if isinstance(item, np.ndarray):
        flat = item.ravel()[:_SHOWN_VALUES].tolist()
        values = ", ".join(_value(v) for v in flat)
        more = ", ..." if item.size > _SHOWN_VALUES else ""
        return f"array(shape={list(item.shape)}, dtype={item.dtype}, values=[{values}{more}])"
    if isinstance(item, np.generic):
        return _value(item.item())
    if depth > 3:
        return f"<{type(item).__name__}>"
    if isinstance(item, dict):
        parts = [f"{k!r}: {_render(v, depth + 1)}" for k, v in list(item.items())[:_SHOWN_ELEMENTS]]
        more = ", ..." if len(item) > _SHOWN_ELEMENTS else ""
        return "{" + ", ".join(parts) + more + "}"
    if isinstance(item, tuple | list):
        parts = [_render(v, depth + 1) for v in item[:_SHOWN_ELEMENTS]]
        more = ", ..." if len(item) > _SHOWN_ELEMENTS else ""
        if isinstance(item, tuple):
            return "(" + ", ".join(parts) + ("," if len(item) == 1 else "") + more + ")"
        return "[" + ", ".join(parts) + more + "]"
    if isinstance(item, bytes):
        return f"<{len(item)} bytes>"
    if isinstance(item, str | int | float | bool) or item is None:
        return _value(item)
    return f"<{type(item).__name__}>"


def _value(value: Any) -> str:
    """A scalar: floats with 4 significant digits, anything else as its repr."""
    return format(value, ".4g") if type(value) is float else repr(value)


def render(item: Any) -> str:
    """A short, safe text of ``item``: arrays as shape, dtype and a few values; at most
    ``MAX_RENDERED`` characters."""
    text = _render(item, 0)
    return text if len(text) <= MAX_RENDERED else text[: MAX_RENDERED - 3] + "..."
