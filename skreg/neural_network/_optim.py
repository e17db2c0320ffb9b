"""Composable gradient transformations, in the style of optax.

A transformation is an ``(init, update)`` pair:

- ``init(params) -> state``
- ``update(updates, state, params) -> (updates, state)``

``params`` and ``updates`` are lists of arrays with the same shapes. ``chain``
composes transformations; :func:`apply_updates` adds the final updates to the
parameters. Optimizers are chains: ``adamw = chain(scale_by_adam(),
add_decayed_weights(wd, mask), scale_by_learning_rate(lr))``.

For speed the arrays are worked on in place: ``update`` overwrites the arrays of
``updates`` (the caller's gradient buffers) and returns the same list, and the
arrays inside a state are the optimizer's own and are updated in place; the state
returned is a new dict. Nothing ever writes to ``params``, except
:func:`apply_updates`. Everything keeps the parameters' dtype.

A learning rate is a number or a *schedule*: a callable of the step count (the
number of updates already made) returning the rate.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._adam_fast import adam_scale


class GradientTransformation(NamedTuple):
    """An ``(init, update)`` pair."""

    init: Callable
    update: Callable


def _as_schedule(learning_rate):
    if callable(learning_rate):
        return learning_rate
    return ConstantSchedule(learning_rate)


class ConstantSchedule:
    """Schedule returning ``value`` at every step."""

    def __init__(self, value):
        self.value = float(value)

    def __call__(self, count):
        return self.value


class InverseScalingSchedule:
    """Schedule ``init_value / (count + 1) ** power_t``."""

    def __init__(self, init_value, power_t):
        self.init_value = float(init_value)
        self.power_t = float(power_t)

    def __call__(self, count):
        return self.init_value / (count + 1) ** self.power_t


class PlateauSchedule:
    """Constant rate that the training loop divides by ``1 / factor`` on a plateau.

    Parameters
    ----------
    init_value : float
    factor : float, default=0.2
    """

    def __init__(self, init_value, factor=0.2):
        self.value = float(init_value)
        self.factor = float(factor)

    def __call__(self, count):
        return self.value

    def reduce(self):
        """Multiply the rate by ``factor`` and return the new rate."""
        self.value *= self.factor
        return self.value


def _zeros(params):
    return [np.zeros_like(p) for p in params]


def identity():
    """Leave the updates unchanged."""
    return GradientTransformation(
        lambda params: {}, lambda updates, state, params=None: (updates, state)
    )


def scale(step_size):
    """Multiply the updates by the constant ``step_size``."""
    step_size = float(step_size)

    def update(updates, state, params=None):
        for u in updates:
            u *= step_size
        return updates, state

    return GradientTransformation(lambda params: {}, update)


def scale_by_schedule(schedule):
    """Multiply the updates by ``schedule(count)``."""

    def update(updates, state, params=None):
        step_size = schedule(state["count"])
        for u in updates:
            u *= step_size
        return updates, {"count": state["count"] + 1}

    return GradientTransformation(lambda params: {"count": 0}, update)


def scale_by_learning_rate(learning_rate):
    """Multiply the updates by ``-learning_rate`` (a number or a schedule)."""
    schedule = _as_schedule(learning_rate)
    return scale_by_schedule(lambda count: -schedule(count))


def trace(decay, nesterov=False):
    """Momentum: ``t <- g + decay t``; the update is ``t`` or, for Nesterov,
    ``g + decay t``."""
    decay = float(decay)

    def init(params):
        return {"trace": _zeros(params)}

    def update(updates, state, params=None):
        for g, t in zip(updates, state["trace"], strict=True):
            t *= decay
            t += g
            if nesterov and decay > 0:
                # g + decay t == decay (g / decay + t), with no temporary array
                g *= 1.0 / decay
                g += t
                g *= decay
            elif not nesterov:
                g[...] = t
        return updates, state

    return GradientTransformation(init, update)


class Preconditioner:
    """Holder through which an adaptive scaling shares its diagonal metric.

    :func:`scale_by_adam` writes its denominators ``sqrt(v_hat) + eps`` into
    ``diagonal`` at every step; :func:`proximal_l1` reads them to take the
    proximal step in the same metric.
    """

    def __init__(self):
        self.diagonal = None


def _adam_scale_numpy(g, m, v, b1, b2, eps, factor, diagonal, diagonal_scale):
    """What :func:`adam_scale` does, for arrays it cannot take (not contiguous)."""
    m *= b1
    m += g
    np.square(g, out=g)
    v *= b2
    v += g
    np.sqrt(v, out=g)
    g += eps
    if diagonal is not None:
        np.multiply(g, diagonal_scale, out=diagonal)
    np.divide(m, g, out=g)
    g *= factor


def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, preconditioner=None):
    """Adam's scaling: ``m_hat / (sqrt(v_hat) + eps)`` with bias-corrected moments.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``, ``m_hat = m / (1 -
    b1^t)``, ``v_hat = v / (1 - b2^t)``, ``t`` counting from 1. The state's
    ``mu`` and ``nu`` hold ``m / (1 - b1)`` and ``v / (1 - b2)``.

    Parameters
    ----------
    b1, b2, eps : float, default=0.9, 0.999, 1e-8
    preconditioner : Preconditioner, default=None
        If given, receives the denominators ``sqrt(v_hat) + eps``.
    """
    b1, b2, eps = float(b1), float(b2), float(eps)

    def init(params):
        if preconditioner is not None:
            preconditioner.diagonal = _zeros(params)
        return {"count": 0, "mu": _zeros(params), "nu": _zeros(params)}

    def update(updates, state, params=None):
        if preconditioner is not None and preconditioner.diagonal is None:
            preconditioner.diagonal = _zeros(updates)  # a resumed state
        count = state["count"] + 1
        # The state keeps the moments unnormalised, M = sum_k b1^(t-k) g_k and
        # N = sum_k b2^(t-k) g_k^2 (m = (1 - b1) M, v = (1 - b2) N): two passes per
        # step fewer than m <- b1 m + (1 - b1) g, and no temporary array. Then
        # m_hat / (sqrt(v_hat) + eps) == (c_m / c_v) M / (sqrt(N) + eps / c_v).
        c_m = (1.0 - b1) / (1.0 - b1**count)
        c_v = np.sqrt((1.0 - b2) / (1.0 - b2**count))
        diagonal = (
            preconditioner.diagonal if preconditioner is not None
            else [None] * len(updates)
        )
        for g, m, v, d in zip(updates, state["mu"], state["nu"], diagonal,
                              strict=True):
            arrays = (g, m, v) if d is None else (g, m, v, d)
            if all(a.flags.c_contiguous and a.dtype == g.dtype for a in arrays) \
                    and g.dtype in (np.float32, np.float64):
                adam_scale(g.reshape(-1), m.reshape(-1), v.reshape(-1), b1, b2,
                           eps / c_v, c_m / c_v,
                           None if d is None else d.reshape(-1), c_v)
            else:
                _adam_scale_numpy(g, m, v, b1, b2, eps / c_v, c_m / c_v, d, c_v)
        return updates, {"count": count, "mu": state["mu"], "nu": state["nu"]}

    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay, mask=None):
    """Add ``weight_decay * p`` to the update of every parameter ``p`` in ``mask``.

    Before a scaling (Adam) this is the gradient of an L2 penalty; after it and
    before the learning rate it is decoupled weight decay,
    ``p <- p - lr weight_decay p``.

    Parameters
    ----------
    weight_decay : float
    mask : list of bool, default=None
        Which parameters decay (``None``: all). Biases should be masked off.
    """
    weight_decay = float(weight_decay)

    scratch = {}  # one temporary per parameter, reused: no allocation per step

    def update(updates, state, params):
        if weight_decay == 0:
            return updates, state
        flags = mask if mask is not None else [True] * len(updates)
        for k, (u, p, on) in enumerate(zip(updates, params, flags, strict=True)):
            if on:
                buf = scratch.get(k)
                if buf is None or buf.shape != u.shape or buf.dtype != u.dtype:
                    buf = scratch[k] = np.empty_like(u)
                np.multiply(p, weight_decay, out=buf)
                u += buf
        return updates, state

    return GradientTransformation(lambda params: {}, update)


def soft_threshold(x, threshold, out=None):
    """``sign(x) max(|x| - threshold, 0)``, the proximal operator of the L1 norm."""
    sign = np.sign(x)  # before ``out``, which may be ``x`` itself
    out = np.abs(x, out=out)
    out -= threshold
    np.maximum(out, 0, out=out)
    out *= sign
    return out


def proximal_l1(strength, learning_rate, mask=None, preconditioner=None):
    """Turn the final update into a proximal L1 step.

    With ``q = p + u`` the point the update reaches, the update becomes
    ``soft_threshold(q, lr * strength / D) - p``, so the parameters land on exact
    zeros. ``D`` is 1, or the diagonal metric of an adaptive scaling (Adam's
    ``sqrt(v_hat) + eps``): the proximal step is then taken in the metric the step
    was taken in, and a weight is cut to zero when its (scaled) gradient step
    cannot beat the penalty, as in plain proximal SGD. Without the metric, Adam's
    steps of size ~``lr`` would swamp a threshold ``lr * strength``. Place it last
    in a chain, after the learning rate.

    Parameters
    ----------
    strength : float
        The L1 coefficient, ``alpha * l1_ratio``.
    learning_rate : float or callable
        The rate (or schedule) the chain's updates were scaled by.
    mask : list of bool, default=None
        Which parameters are penalised (``None``: all).
    preconditioner : Preconditioner, default=None
        Shared with the adaptive scaling earlier in the chain.
    """
    strength = float(strength)
    schedule = _as_schedule(learning_rate)

    def update(updates, state, params):
        count = state["count"]
        if strength == 0:
            return updates, {"count": count + 1}
        threshold = schedule(count) * strength
        flags = mask if mask is not None else [True] * len(updates)
        diagonal = (
            preconditioner.diagonal if preconditioner is not None
            else [None] * len(updates)
        )
        for u, p, on, d in zip(updates, params, flags, diagonal, strict=True):
            if on:
                u += p
                soft_threshold(u, threshold if d is None else threshold / d, out=u)
                u -= p
        return updates, {"count": count + 1}

    return GradientTransformation(lambda params: {"count": 0}, update)


def chain(*transforms):
    """Apply ``transforms`` one after the other."""

    def init(params):
        return [t.init(params) for t in transforms]

    def update(updates, state, params=None):
        new_state = []
        for t, s in zip(transforms, state, strict=True):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, new_state

    return GradientTransformation(init, update)


def sgd(learning_rate, momentum=0.0, nesterov=False):
    """Stochastic gradient descent, with optional (Nesterov) momentum."""
    steps = [trace(momentum, nesterov)] if momentum > 0 else []
    return chain(*steps, scale_by_learning_rate(learning_rate))


def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    """Adam."""
    return chain(scale_by_adam(b1, b2, eps), scale_by_learning_rate(learning_rate))


def adamw(learning_rate, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0, mask=None):
    """Adam with decoupled weight decay: ``p <- p - lr (adam(g) + wd p)``."""
    return chain(
        scale_by_adam(b1, b2, eps),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(learning_rate),
    )


def apply_updates(params, updates):
    """Add ``updates`` to ``params`` in place."""
    for p, u in zip(params, updates, strict=True):
        p += u
    return params
