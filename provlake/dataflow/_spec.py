"""DLProv's prospective objects: attributes, sets, transformations, and the elements of a data set.

Signatures and behaviour are those of ``dfa_lib_python`` 1.0.0: tags are lower-cased, element values
become strings, a transformation keeps a snapshot of each set it is given (so one ``Set`` object can
be an output of one transformation and then, retyped, an input of the next), and
``get_specification()`` gives the JSON DfAnalyzer receives.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = [
    "Attribute",
    "AttributeType",
    "DataSet",
    "Dependency",
    "Element",
    "Set",
    "SetType",
    "TaskStatus",
    "Transformation",
]


class AttributeType(Enum):
    """The type of an attribute: TEXT (a string), NUMERIC (a number), FILE or RDFILE (a path)."""

    TEXT = "TEXT"
    NUMERIC = "NUMERIC"
    FILE = "FILE"
    RDFILE = "RDFILE"


class SetType(Enum):
    """Whether a transformation reads (INPUT) or writes (OUTPUT) a set."""

    INPUT = "INPUT"
    OUTPUT = "OUTPUT"


class TaskStatus(Enum):
    READY = "READY"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise TypeError(f"{what} must be in a list, got {type(value).__name__}")
    return value


class Attribute:
    """A named, typed attribute of a set."""

    def __init__(self, tag: str, type: AttributeType) -> None:
        self.name = tag
        self.type = type

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError("The name must be a string.")
        self._name = name

    @property
    def type(self) -> str:
        return self._type

    @type.setter
    def type(self, type: AttributeType) -> None:
        if not isinstance(type, AttributeType):
            raise TypeError("The type must be an instance of AttributeType.")
        self._type = type.value

    def get_specification(self) -> dict[str, str]:
        return {"name": self._name, "type": self._type}

    def __repr__(self) -> str:
        return f"{self._name}:{self._type}"


class Set:
    """A set a transformation reads or writes: its attributes in order; an input read from another
    transformation names it in ``dependency``."""

    def __init__(
        self,
        tag: str,
        type: SetType,
        attributes: list[Attribute],
        extractors: list | None = None,
        dependency: str = "",
    ) -> None:
        self._tag = tag.lower()
        self.attributes = attributes
        self.type = type
        self._extractors = list(extractors or [])
        self.dependency = dependency

    @property
    def tag(self) -> str:
        return self._tag

    @property
    def type(self) -> str:
        return self._type

    @type.setter
    def type(self, value: SetType) -> None:
        if not isinstance(value, SetType):
            raise TypeError("The type must be valid.")
        self._type = value.value

    def set_type(self, type: SetType) -> None:
        self.type = type

    @property
    def attributes(self) -> list[dict[str, str]]:
        return self._attributes

    @attributes.setter
    def attributes(self, attributes: list[Attribute]) -> None:
        self._attributes = []
        for attribute in _list(attributes, "The attributes"):
            self.add_attribute(attribute)

    def add_attribute(self, attribute: Attribute) -> None:
        if not isinstance(attribute, Attribute):
            raise TypeError("The attribute must be valid.")
        self._attributes.append(attribute.get_specification())

    @property
    def dependency(self) -> str:
        return self._dependency

    @dependency.setter
    def dependency(self, dependency: str) -> None:
        if not isinstance(dependency, str):
            raise TypeError("The dependency must be a string.")
        self._dependency = dependency.lower()

    def get_specification(self) -> dict[str, Any]:
        """The set as DfAnalyzer receives it (a snapshot: later changes do not alter it)."""
        spec: dict[str, Any] = {
            "tag": self._tag,
            "attributes": [dict(a) for a in self._attributes],
            "type": self._type,
        }
        if self._extractors:
            spec["extractors"] = list(self._extractors)
        if self._dependency:
            spec["dependency"] = self._dependency
        return spec


class Transformation:
    """A step of a dataflow with the sets it reads and writes."""

    def __init__(self, tag: str, sets: list[Set] | None = None) -> None:
        self._tag = tag.lower()
        self.sets = list(sets or [])

    @property
    def tag(self) -> str:
        return self._tag

    @property
    def sets(self) -> list[dict[str, Any]]:
        return self._sets

    @sets.setter
    def sets(self, sets: list[Set]) -> None:
        self._sets = []
        self.set_sets(sets)

    def set_sets(self, sets: list[Set]) -> None:
        for s in _list(sets, "The Sets"):
            self.add_set(s)

    def add_set(self, set: Set) -> None:
        if not isinstance(set, Set):
            raise TypeError("The set must be valid.")
        self._sets.append(set.get_specification())

    @property
    def input(self) -> list[dict[str, Any]]:
        return [s for s in self._sets if s["type"] == SetType.INPUT.value]

    @property
    def output(self) -> list[dict[str, Any]]:
        return [s for s in self._sets if s["type"] == SetType.OUTPUT.value]

    def get_specification(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"tag": self._tag}
        if self._sets:
            spec["sets"] = [dict(s) for s in self._sets]
        return spec


class Element:
    """One element of a data set: its values, kept as strings like DfAnalyzer does."""

    def __init__(self, values: list) -> None:
        self.values = values

    @property
    def values(self) -> list[str]:
        return self._values

    @values.setter
    def values(self, values: list) -> None:
        self._values = [str(v) for v in _list(values, "The values")]


class DataSet:
    """The elements a task sends for one set."""

    def __init__(self, tag: str, elements: list[Element]) -> None:
        self._tag = tag.lower()
        self.elements = elements

    @property
    def tag(self) -> str:
        return self._tag

    @property
    def elements(self) -> list[list[str]]:
        return self._elements

    @elements.setter
    def elements(self, elements: list[Element]) -> None:
        self._elements = []
        for element in _list(elements, "The elements"):
            if not isinstance(element, Element):
                raise TypeError("The element must be valid.")
            self._elements.append(list(element.values))

    def get_specification(self) -> dict[str, Any]:
        return {"tag": self._tag, "elements": [list(e) for e in self._elements]}


class Dependency:
    """The tasks a task depends on: their transformation tags and ids, pairwise."""

    def __init__(self, tags: list[str], ids: list) -> None:
        self.tags = [{"tag": str(t).lower()} for t in _list(tags, "The tags")]
        self.ids = [{"id": str(i)} for i in _list(ids, "The ids")]

    def get_specification(self) -> dict[str, Any]:
        return {"tags": list(self.tags), "ids": list(self.ids)}
