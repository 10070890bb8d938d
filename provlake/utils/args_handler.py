"""Typed values of the legacy ProvLake API (same return values as ``provlake==0.2.982``).

They wrap a value as ``{"prov_attr_type": TYPE, "values": VALUE, ...}``; ``ProvTask``/``ProvCycle``
turn them into records (data and KG references, data sets and items become ``entity`` records).

>>> get_data_reference("/data/x.csv")
{'values': '/data/x.csv', 'prov_attr_type': 'data_reference'}
"""

from __future__ import annotations

from typing import Any

from provlake.utils.constants import Vocabulary

__all__ = [
    "add_custom_metadata",
    "get_attribute_value_type",
    "get_data_reference",
    "get_dataset",
    "get_dataset_item",
    "get_dict",
    "get_kg_reference",
    "get_list",
    "get_recursive_dicts",
]


def get_dict(_dict: dict | None) -> dict | None:
    if _dict is None:
        return None
    if len(_dict) == 0:
        return {}
    return {Vocabulary.PROV_ATTR_TYPE: Vocabulary.DICT_TYPE, Vocabulary.VALUES: _dict}


def get_list(_list: list | None) -> dict | list | None:
    """One node per element of the list."""
    if _list is None:
        return None
    if len(_list) == 0:
        return []
    return {Vocabulary.PROV_ATTR_TYPE: Vocabulary.LIST_TYPE, Vocabulary.VALUES: _list}


def get_dataset(
    _list_of_dataset_items: list | None, dataset_schema_id: Any = None
) -> dict | list | None:
    """A data set made of items (see :func:`get_dataset_item`)."""
    if _list_of_dataset_items is None:
        return None
    if len(_list_of_dataset_items) == 0:
        return []
    ret = {
        Vocabulary.PROV_ATTR_TYPE: Vocabulary.DATASET_TYPE,
        Vocabulary.VALUES: _list_of_dataset_items,
    }
    if dataset_schema_id:
        ret[Vocabulary.DATASET_SCHEMA_ID] = dataset_schema_id
    return ret


def get_recursive_dicts(_dict: dict | None) -> dict | None:
    if _dict is None:
        return None
    if len(_dict) == 0:
        return {}
    values = {k: get_recursive_dicts(v) if type(v) is dict else v for k, v in _dict.items()}
    return {Vocabulary.PROV_ATTR_TYPE: Vocabulary.DICT_TYPE, Vocabulary.VALUES: values}


def add_custom_metadata(value: Any, custom_metadata: dict | None = None) -> Any:
    if not custom_metadata:
        return value
    return {
        Vocabulary.PROV_ATTR_TYPE: Vocabulary.ATTRIBUTE_VALUE_WITH_CUSTOM_METADATA_TYPE,
        Vocabulary.VALUES: value,
        Vocabulary.CUSTOM_METADATA: custom_metadata,
    }


def get_data_reference(value: Any, data_store_id: Any = None) -> dict:
    ret = {Vocabulary.VALUES: value, Vocabulary.PROV_ATTR_TYPE: Vocabulary.DATA_REFERENCE_TYPE}
    if data_store_id is not None:
        ret[Vocabulary.DATA_STORE_ID] = data_store_id
    return ret


def get_kg_reference(value: Any, data_store_id: Any = None) -> dict:
    ret = {Vocabulary.VALUES: value, Vocabulary.PROV_ATTR_TYPE: Vocabulary.KG_REFERENCE_TYPE}
    if data_store_id is not None:
        ret[Vocabulary.DATA_STORE_ID] = data_store_id
    return ret


def get_dataset_item(values: Any, order: int | None = None, dataset_id: Any = None) -> dict:
    ret = {Vocabulary.VALUES: values, Vocabulary.PROV_ATTR_TYPE: Vocabulary.DATASET_ITEM}
    if order is not None:
        ret[Vocabulary.DATASET_ITEM_ORDER] = order
    if dataset_id is not None:
        ret[Vocabulary.DATASET_ID] = dataset_id
    return ret


def get_attribute_value_type(attribute_value: Any) -> str:
    if attribute_value is None or type(attribute_value) in (int, str, bool, float):
        return Vocabulary.SIMPLE_ATV_TYPE
    if type(attribute_value) is list:
        return Vocabulary.SIMPLE_LIST_TYPE
    if Vocabulary.PROV_ATTR_TYPE in attribute_value:
        return attribute_value[Vocabulary.PROV_ATTR_TYPE]
    return Vocabulary.SIMPLE_DICT_TYPE
