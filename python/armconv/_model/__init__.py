"""Whole models: armconv.load() -> Model (see model.py; the graph work is in passes.py,
the memory plan in plan.py, the operators in ops.py, ONNX reading in onnx_import.py)."""
from .model import Model, load

__all__ = ["Model", "load"]
