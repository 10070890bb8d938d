"""Integrations of the capture client with training libraries; each module imports its library
only when used (``provlake.integrations.keras`` needs the ``keras`` extra)."""

__all__: list[str] = []
