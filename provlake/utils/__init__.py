"""Helpers of the legacy ProvLake API (``provlake.utils.args_handler``,
``provlake.utils.constants``).
"""

__all__ = ["args_handler", "constants"]
