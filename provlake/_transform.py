"""The ``@transformation`` decorator: each call of a function becomes a data transformation.

Used by :func:`provlake.transformation` (the active run) and :meth:`provlake.Run.transformation`
(one run): the target run is given as a function returning it, called at each call.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from provlake._entities import Entity
from provlake._handles import Ending, current_execution, status_for
from provlake._records import check_name
from provlake._stages import start_stage

__all__ = ["transformation"]

F = TypeVar("F", bound=Callable[..., Any])


def _describe(
    name: str, value: Any, attrs: dict[str, Any], used: list[str], depth: int = 0
) -> None:
    """Turn one argument or result into attributes (scalars, summaries) and used entities."""
    if value is None:
        return
    if isinstance(value, Entity):
        used.append(value.id)
        return
    if isinstance(value, str | bool | int | float):
        attrs[name] = value
        return
    shape = getattr(value, "shape", None)
    if shape == () and hasattr(value, "__float__"):
        attrs[name] = value.item() if hasattr(value, "item") else float(value)
        return
    if depth == 0 and isinstance(value, list | tuple) and len(value) <= 16:
        for i, item in enumerate(value):
            _describe(f"{name}[{i}]", item, attrs, used, 1)
        return
    if depth == 0 and isinstance(value, Mapping) and len(value) <= 16:
        for key, item in value.items():
            _describe(f"{name}.{key}", item, attrs, used, 1)
        return
    summary = type(value).__name__
    if shape is not None:
        summary += f"(shape={tuple(shape)}"
        summary += f", dtype={value.dtype})" if hasattr(value, "dtype") else ")"
    elif hasattr(value, "__len__"):
        with contextlib.suppress(TypeError):
            summary += f"(len={len(value)})"
    attrs[name] = summary


def transformation(func: F | None, *, name: str | None, target: Callable[[], Ending | None]) -> Any:
    """Decorator: each call becomes a data transformation (stage kind ``transformation``) of the
    run ``target()`` returns (a ``Run``; none or an ended one: the function just runs).

    Scalar arguments become input attributes, :class:`Entity` arguments are used, the result becomes
    output attributes (arrays and frames are summarised by type and shape).
    """
    if name is not None:
        check_name(name, "transformation name")

    def decorate(f: F) -> F:
        stage_name = name or f.__name__
        signature = inspect.signature(f)

        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            run: Any = target()
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                bound = None  # let the function raise its own error
            if run is None or run._ended or bound is None:
                return f(*args, **kwargs)
            bound.apply_defaults()
            attrs: dict[str, Any] = {}
            used: list[str] = []
            for arg, value in bound.arguments.items():
                _describe(arg, value, attrs, used)
            parent = current_execution.get()
            stage = start_stage(
                run.client,
                run.id,
                stage_name,
                "transformation",
                parent=parent.id if parent is not None and parent.run_id == run.id else None,
                used=used,
                attributes=attrs,
            )
            token = current_execution.set(stage)
            try:
                result = f(*args, **kwargs)
            except BaseException as exc:
                stage.end(status_for(type(exc)))
                raise
            finally:
                current_execution.reset(token)
            out: dict[str, Any] = {}
            _describe("return", result, out, [])
            stage.end("finished", out)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate
