"""Capture client for PROV-ML provenance (modern API and the legacy ProvLake API)."""
