"""``Dataflow``: a DLProv dataflow definition, sent to the manager as a ``dataflow`` record.

``Dataflow(tag, predefined=True)`` starts from DLProv's predefined deep-learning lifecycle:
LoadData → ApplyFilter → SplitData → Train → Test, with DLProv's set and attribute names.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from provlake.dataflow._spec import Attribute, AttributeType, Set, SetType, Transformation

if TYPE_CHECKING:
    from provlake import Client

__all__ = ["Dataflow", "capture_client"]

_T, _N, _F = AttributeType.TEXT, AttributeType.NUMERIC, AttributeType.FILE
# The predefined lifecycle: (transformation, [(set, type, dependency, [(attribute, type)])]).
_LIFECYCLE = [
    ("LoadData", [
        ("iInputDataset", "INPUT", "", [("DATASET_NAME", _T), ("DATASET_SOURCE", _T)]),
        ("oLoadData", "OUTPUT", "", [("DATASET_DIR", _F)]),
    ]),
    ("ApplyFilter", [
        ("iFilter", "INPUT", "", [("FILTER_TYPE", _T)]),
        ("oLoadData", "INPUT", "loaddata", [("DATASET_DIR", _F)]),
        ("oFilter", "OUTPUT", "", [("PP_DATASET", _F)]),
    ]),
    ("SplitData", [
        ("oFilter", "INPUT", "applyfilter", [("PP_DATASET", _F)]),
        ("iSplitConfig", "INPUT", "", [("TRAIN_SIZE", _N), ("VAL_SIZE", _N), ("TEST_SIZE", _N)]),
        ("oTrainSet", "OUTPUT", "", [("TrainSetX", _F), ("TrainSetY", _F)]),
        ("oValSet", "OUTPUT", "", [("ValSetX", _F), ("ValSetY", _F)]),
        ("oTestSet", "OUTPUT", "", [("TestSetX", _F), ("TestSetY", _F)]),
    ]),
    ("Train", [
        ("oTrainSet", "INPUT", "splitdata", [("TrainSetX", _F), ("TrainSetY", _F)]),
        ("oValSet", "INPUT", "splitdata", [("ValSetX", _F), ("ValSetY", _F)]),
        ("iTrain", "INPUT", "", [("OPTIMIZER_NAME", _T), ("LEARNING_RATE", _N),
                                 ("NUM_EPOCHS", _N), ("BATCH_SIZE", _N), ("NUM_LAYERS", _N)]),
        ("oTrain", "OUTPUT", "", [("TIMESTAMP", _T), ("ELAPSED_TIME", _T), ("LOSS", _N),
                                  ("ACCURACY", _N), ("VAL_LOSS", _N), ("VAL_ACCURACY", _N),
                                  ("EPOCH", _N)]),
        ("oTrainedModel", "OUTPUT", "", [("MODEL_NAME", _T), ("MODEL_DIR", _F)]),
        ("oWeights", "OUTPUT", "", [("WEIGHTS_PATH", _F)]),
    ]),
    ("Test", [
        ("oTestSet", "INPUT", "splitdata", [("TestSetX", _F), ("TestSetY", _F)]),
        ("oTrainedModel", "INPUT", "train", [("MODEL_NAME", _T), ("MODEL_DIR", _F)]),
        ("oTest", "OUTPUT", "", [("LOSS", _N), ("ACCURACY", _N)]),
    ]),
]  # fmt: skip


def capture_client(client: Client | None = None) -> Client:
    """The client dataflow objects send through: ``client``, else the shared client of the
    ``PROVML_*`` settings; a DLProv ``DFA_URL`` names the manager when no ``PROVML_MANAGER`` or
    ``PROVML_TRANSPORT`` does."""
    if client is not None:
        return client
    from provlake import get_client

    dfa_url = os.environ.get("DFA_URL")
    if dfa_url and not (os.environ.get("PROVML_MANAGER") or os.environ.get("PROVML_TRANSPORT")):
        return get_client(manager=dfa_url.rstrip("/"))
    return get_client()


class Dataflow:
    """A dataflow: its transformations and their sets. ``save()`` sends it (in the background)."""

    def __init__(
        self,
        tag: str,
        predefined: bool = False,
        email: str = "",
        transformations: list[Transformation] | None = None,
        *,
        client: Client | None = None,
    ) -> None:
        self._tag = tag.lower()
        self.transformations = list(transformations or [])
        self.email = email
        self._client = client
        self._predefined = False
        self.predefined = predefined

    @property
    def tag(self) -> str:
        return self._tag

    @property
    def transformations(self) -> list[dict[str, Any]]:
        return self._transformations

    @transformations.setter
    def transformations(self, transformations: list[Transformation]) -> None:
        self._transformations = []
        for transformation in transformations:
            self.add_transformation(transformation)

    def add_transformation(self, transformation: Transformation) -> None:
        """Add a transformation (its specification as it is now)."""
        if not isinstance(transformation, Transformation):
            raise TypeError("The parameter must be a transformation.")
        self._transformations.append(transformation.get_specification())

    @property
    def predefined(self) -> bool:
        return self._predefined

    @predefined.setter
    def predefined(self, predefined: bool) -> None:
        if predefined and not self._predefined:
            for name, sets in _LIFECYCLE:
                transformation = Transformation(name)
                for tag, kind, dependency, attributes in sets:
                    columns = [Attribute(attribute, type_) for attribute, type_ in attributes]
                    transformation.add_set(Set(tag, SetType(kind), columns, dependency=dependency))
                self.add_transformation(transformation)
        self._predefined = bool(predefined)

    @property
    def email(self) -> str:
        return self._email

    @email.setter
    def email(self, email: str) -> None:
        if not isinstance(email, str):
            raise TypeError("The email must be in a string.")
        self._email = email

    def get_specification(self) -> dict[str, Any]:
        """The dataflow as DfAnalyzer receives it."""
        spec: dict[str, Any] = {"tag": self._tag}
        if self._transformations:
            spec["transformations"] = [dict(t) for t in self._transformations]
        if self._email:
            spec["email"] = self._email
        return spec

    def save(self) -> None:
        """Send the dataflow to the manager (appended to the capture buffer: no I/O here)."""
        record: dict[str, Any] = {
            "type": "dataflow",
            "id": self._tag,
            "time": time.time(),
            "transformations": [
                {
                    "tag": t["tag"],
                    "sets": [
                        {
                            "tag": s["tag"],
                            "type": s["type"],
                            "dependency": s.get("dependency") or None,
                            "attributes": [dict(a) for a in s["attributes"]],
                        }
                        for s in t.get("sets", [])
                    ],
                }
                for t in self._transformations
            ],
        }
        if self._email:
            record["user"] = self._email
        capture_client(self._client).emit(record)
