"""Regularized multi-layer perceptron."""
