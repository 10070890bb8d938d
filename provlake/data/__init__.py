"""Data pipelines that record their own provenance: a ``tf.data``-like ``Dataset``.

Operations chain lazily (``map``, ``filter``, ``shuffle``, ``batch``, ``take``, ``concatenate``,
``interleave``, ``reduce``); iterating a dataset records, through the run's capture client, the
graph of operations and the streams between them, each stream's schema (and its changes), counts,
a few samples, sampled per-item timings, and the files a source read (with their DVC md5). A
training stage that names the dataset in ``used`` links the model it trains to all of it
(docs/data-pipelines.md).

>>> import numpy as np
>>> import provlake as pl
>>> from provlake import data
>>> with pl.start_run("toy", transport="memory:", capture_environment=False) as run:
...     ds = data.from_iterable(range(10), identifier="numbers")
...     ds = ds.map(lambda x: x * x, "square").filter(lambda x: x % 2 == 0, "even")
...     batches = list(ds.batch(2, identifier="pairs"))
>>> [b.tolist() for b in batches]
[[0, 4], [16, 36], [64]]
>>> operations = [r for r in run.client.transport.records if r["type"] == "pipeline.operation"]
>>> [(r["step"], r["operation"], r["label"]) for r in operations]  # doctest: +NORMALIZE_WHITESPACE
[(1, 'from_iterable', 'numbers'), (2, 'map', 'square'), (3, 'filter', 'even'),
 (4, 'batch', 'pairs')]
"""

from provlake.data._dataset import Dataset, interleave
from provlake.data._files import dvc_md5
from provlake.data._monitor import Options
from provlake.data._schema import render, schema_of, schema_text

from_generator = Dataset.from_generator
from_iterable = Dataset.from_iterable
from_numpy = Dataset.from_numpy
from_files = Dataset.from_files
load_from_dir = Dataset.load_from_dir

__all__ = [
    "Dataset",
    "Options",
    "dvc_md5",
    "from_files",
    "from_generator",
    "from_iterable",
    "from_numpy",
    "interleave",
    "load_from_dir",
    "render",
    "schema_of",
    "schema_text",
]
