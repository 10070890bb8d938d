"""DLProv's dataflow API (``dfa_lib_python``) on provml's capture pipeline.

A DLProv script switches by changing its imports: ``from provlake.dataflow import Dataflow, Task,
...`` instead of ``from dfa_lib_python.dataflow import Dataflow`` and the like. The classes keep
DLProv's signatures; each call appends a record to the capture buffer and returns, and a background
thread sends batches to the provml manager (``PROVML_MANAGER``, or DLProv's ``DFA_URL``), so the
training thread never waits on the network.

>>> import provlake as pl
>>> from provlake.dataflow import Dataflow, DataSet, Element, Task
>>> client = pl.Client("memory:", capture_environment=False)
>>> df = Dataflow("mnist", predefined=True, client=client)
>>> [t["tag"] for t in df.transformations]
['loaddata', 'applyfilter', 'splitdata', 'train', 'test']
>>> df.save()
>>> task = Task(1, df, "mnist-1", "LoadData")
>>> task.add_dataset(DataSet("iInputDataset", [Element(["MNIST", "keras.datasets"])]))
>>> task.begin()
>>> client.flush(5)
True
>>> [r["type"] for r in client.transport.records]
['dataflow', 'run.start', 'task']
>>> client.close()
True
"""

from provlake.dataflow._dataflow import Dataflow
from provlake.dataflow._spec import (
    Attribute,
    AttributeType,
    DataSet,
    Dependency,
    Element,
    Set,
    SetType,
    TaskStatus,
    Transformation,
)
from provlake.dataflow._task import Task

__all__ = [
    "Attribute",
    "AttributeType",
    "DataSet",
    "Dataflow",
    "Dependency",
    "Element",
    "Set",
    "SetType",
    "Task",
    "TaskStatus",
    "Transformation",
]
