"""The ``provml demo``: a real scikit-learn training captured through the client and a live
manager, then questions, a W3C PROV export and a SHACL check of everything it wrote."""

from services.demo._runner import DEFAULT_GRID, DemoResult, run_demo
from services.demo._training import Config, Outcome

__all__ = ["DEFAULT_GRID", "Config", "DemoResult", "Outcome", "run_demo"]
