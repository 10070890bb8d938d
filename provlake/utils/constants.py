"""Constants of the legacy ProvLake API that scripts use: task statuses and typed-value keys."""

from __future__ import annotations

__all__ = ["Status", "Vocabulary"]


class Status:
    """Statuses accepted by ``ProvTask.end(status=...)`` and ``ProvCycle.end(status=...)``."""

    GENERATED = "GENERATED"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    ERRORED = "ERRORED"

    @staticmethod
    def get_status() -> list[str]:
        return [Status.GENERATED, Status.RUNNING, Status.FINISHED, Status.ERRORED]


class Vocabulary:
    """Keys and type names of the typed values built by :mod:`provlake.utils.args_handler`."""

    VALUES = "values"
    PROV_ATTR_TYPE = "prov_attr_type"
    CUSTOM_METADATA = "custom_metadata"
    DATASET_ITEM = "dataset_item"
    DATASET_ITEM_ORDER = "order"
    DATASET_ID = "dataset_id"
    DATASET_SCHEMA_ID = "dataset_schema_id"
    DATA_STORE_ID = "data_store_id"
    DATA_REFERENCE_TYPE = "data_reference"
    KG_REFERENCE_TYPE = "kg_reference"
    ATTRIBUTE_VALUE_WITH_CUSTOM_METADATA_TYPE = "attribute_value"
    DICT_TYPE = "dict"
    LIST_TYPE = "list"
    SIMPLE_ATV_TYPE = "simple_attribute_value"
    SIMPLE_LIST_TYPE = "simple_list"
    SIMPLE_DICT_TYPE = "simple_dict"
    DATASET_TYPE = "dataset"
