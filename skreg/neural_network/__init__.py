"""Regularized multi-layer perceptron."""

from .._lazy import lazy_exports

_EXPORTS = {"RegularizedMLPClassifier": "._mlp"}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
