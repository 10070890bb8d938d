"""The provml manager service: ingest, validation, store backends and the provml command."""
