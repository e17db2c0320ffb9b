"""Hyperparameter checks shared by every skreg estimator, and the check that
both sides of a split keep some sample weight.

Errors are :class:`InvalidParameterError`, a ``ValueError`` and a ``TypeError``
at once (as scikit-learn's own parameter errors are), and name the parameter.
"""

from numbers import Integral, Real

import numpy as np

__all__ = [
    "InvalidParameterError",
    "check_bool",
    "check_choice",
    "check_int",
    "check_real",
    "split_weights",
]


class InvalidParameterError(ValueError, TypeError):
    """A hyperparameter has the wrong type or value."""


def _bounds_text(low, high, closed):
    left = "[" if closed in ("both", "left") else "("
    right = "]" if closed in ("both", "right") else ")"
    lo = "-inf" if low is None else repr(low)
    hi = "inf" if high is None else repr(high)
    return f"{left}{lo}, {hi}{right}"


def check_real(value, name, *, low=None, high=None, closed="both"):
    """Return ``value`` as a float after checking it is a finite real in range.

    ``closed`` is "both", "left", "right" or "neither": which bounds are allowed.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidParameterError(
            f"{name} must be a real number, got {value!r} of type "
            f"{type(value).__name__}."
        )
    value = float(value)
    low_ok = low is None or value > low or (value == low and closed in ("both", "left"))
    high_ok = (
        high is None or value < high or (value == high and closed in ("both", "right"))
    )
    if not np.isfinite(value) or not (low_ok and high_ok):
        raise InvalidParameterError(
            f"{name} must be in {_bounds_text(low, high, closed)}, got {value!r}."
        )
    return value


def check_int(value, name, *, low=None, high=None):
    """Return ``value`` as an int after checking it is an integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidParameterError(
            f"{name} must be an integer, got {value!r} of type {type(value).__name__}."
        )
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidParameterError(
            f"{name} must be in {_bounds_text(low, high, 'both')}, got {value!r}."
        )
    return int(value)


def check_bool(value, name):
    """Return ``value`` after checking it is a bool (numpy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(
            f"{name} must be True or False, got {value!r} of type "
            f"{type(value).__name__}."
        )
    return bool(value)


def check_choice(value, name, choices):
    """Return ``value`` after checking it is one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameterError(
            f"{name} must be one of {sorted(choices)}, got {value!r}."
        )
    return value


def split_weights(sample_weight, first, second, where):
    """Weights of two index sets (``None, None`` without weights), each nonzero.

    ``where`` names the split and what to do about it, for the error message.
    """
    if sample_weight is None:
        return None, None
    sw_first, sw_second = sample_weight[first], sample_weight[second]
    if not (sw_first.sum() > 0 and sw_second.sum() > 0):
        raise ValueError(f"sample_weight is zero on the whole of {where}.")
    return sw_first, sw_second
