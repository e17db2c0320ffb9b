"""Regularized multi-layer perceptron."""

from ._mlp import RegularizedMLPClassifier

__all__ = ["RegularizedMLPClassifier"]
