"""Pure forward / backward passes of a fully connected network.

A network is two lists of arrays: ``coefs`` (``coefs[i]`` of shape
``(fan_in, fan_out)``) and ``intercepts`` (``intercepts[i]`` of shape
``(fan_out,)``). Hidden layers share one activation; the output layer returns raw
logits, which the loss turns into probabilities (softmax or sigmoid).

The functions hold no state. For speed they accept optional ``out`` buffers so a
training loop can run without allocating: every array written is either a buffer
given by the caller or a new array, never an input.
"""

import numpy as np

ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
LOSSES = ("softmax", "sigmoid")


def check_activation(name):
    """Raise a ValueError unless ``name`` is a known activation."""
    if name not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {list(ACTIVATIONS)}, got {name!r}."
        )


def activate(name, Z):
    """Apply the activation ``name`` to ``Z`` in place and return it."""
    if name == "relu":
        np.maximum(Z, 0, out=Z)
    elif name == "tanh":
        np.tanh(Z, out=Z)
    elif name == "logistic":
        # exp(-z) overflows harmlessly to inf for very negative z: 1/(1+inf) = 0.
        with np.errstate(over="ignore"):
            np.negative(Z, out=Z)
            np.exp(Z, out=Z)
        Z += 1
        np.reciprocal(Z, out=Z)
    elif name != "identity":
        check_activation(name)
    return Z


def multiply_by_derivative(name, A, delta, scale=1.0):
    """Multiply ``delta`` in place by the activation's derivative.

    The derivative is expressed through the activation's output ``A = f(Z)``.
    ``A`` may carry an inverted-dropout mask whose kept entries are scaled by
    ``scale``; the derivative is then taken at ``A / scale``. Where the mask dropped
    a unit, ``delta`` is already zero, so the value there does not matter.
    """
    if name == "relu":
        # a multiply by the 0/1 mask is ~10x faster than boolean-index assignment
        np.multiply(delta, A > 0, out=delta)
    elif name == "tanh":
        d = A * A
        d *= -1.0 / (scale * scale)
        d += 1
        delta *= d
    elif name == "logistic":
        # f' = a (1 - a) with a = A / scale
        d = A * (-1.0 / scale)
        d += 1
        d *= A
        d *= 1.0 / scale
        delta *= d
    elif name != "identity":
        check_activation(name)
    return delta


def init_params(layer_sizes, activation, rng, dtype=np.float64):
    """Glorot-uniform weights and zero-mean uniform intercepts.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    activation : str
        Hidden activation; 'logistic' uses a narrower range, as Glorot advises.
    rng : numpy.random.RandomState
        The fit's random state.
    dtype : dtype, default=np.float64

    Returns
    -------
    coefs, intercepts : list of ndarray
    """
    coefs, intercepts = [], []
    factor = 2.0 if activation == "logistic" else 6.0
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        intercepts.append(rng.uniform(-bound, bound, fan_out).astype(dtype))
    return coefs, intercepts


def dropout_masks(rates, n_samples, hidden_sizes, rng, dtype=np.float64):
    """Inverted-dropout masks, one per hidden layer (``None`` where the rate is 0).

    A mask holds 0 for a dropped unit and ``1 / (1 - rate)`` for a kept one, so the
    expected activation is unchanged and prediction needs no rescaling.
    """
    masks = []
    for rate, width in zip(rates, hidden_sizes, strict=True):
        if rate == 0:
            masks.append(None)
            continue
        keep = rng.random_sample((n_samples, width)) >= rate
        mask = keep.astype(dtype)
        mask *= 1.0 / (1.0 - rate)
        masks.append(mask)
    return masks


def forward(coefs, intercepts, X, activation, *, masks=None, out=None):
    """Forward pass.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
    X : ndarray of shape (n_samples, n_features)
    activation : str
        Hidden-layer activation.
    masks : list of (ndarray or None), default=None
        Inverted-dropout masks for the hidden layers (training only).
    out : list of ndarray, default=None
        Buffers for the layer outputs, shapes ``(n_samples, layer_sizes[i + 1])``.

    Returns
    -------
    activations : list of ndarray
        ``[X, A_1, ..., A_{L-1}, Z_L]``: the input, the (masked) hidden activations
        and the output logits. ``activations[0]`` is ``X`` itself, not a copy.
    """
    activations = [X]
    n_layers = len(coefs)
    for i in range(n_layers):
        Z = np.matmul(activations[i], coefs[i], out=None if out is None else out[i])
        Z += intercepts[i]
        if i < n_layers - 1:
            activate(activation, Z)
            if masks is not None and masks[i] is not None:
                Z *= masks[i]
        activations.append(Z)
    return activations


def log_softmax(Z):
    """Row-wise log-softmax, returned as a new array."""
    out = Z - Z.max(axis=1, keepdims=True)
    out -= np.log(np.exp(out).sum(axis=1, keepdims=True))
    return out


def log_sigmoid(Z):
    """Element-wise ``log(1 / (1 + exp(-Z)))``, stable, as a new array."""
    return -np.logaddexp(0, -Z)


def predict_proba_from_logits(Z, loss):
    """Probabilities for the logits ``Z``: softmax rows or element-wise sigmoid."""
    if loss == "softmax":
        P = Z - Z.max(axis=1, keepdims=True)
        np.exp(P, out=P)
        P /= P.sum(axis=1, keepdims=True)
        return P
    P = np.negative(Z)
    with np.errstate(over="ignore"):
        np.exp(P, out=P)
    P += 1
    np.reciprocal(P, out=P)
    return P


def loss_and_delta(Z, Y, loss, sample_weight=None, *, out=None):
    """Mean cross-entropy of the logits ``Z`` and its gradient with respect to ``Z``.

    The loss is :math:`\\frac{1}{n} \\sum_i s_i \\mathrm{CE}_i`, with ``s`` given
    (the caller normalises it) or all ones. For the softmax loss ``Y`` is one-hot
    and ``CE_i = -\\sum_k Y_{ik} \\log p_{ik}``; for the sigmoid loss each column is
    an independent binary target and the per-sample losses are summed over the
    columns. Both gradients are ``s_i (p_{ik} - Y_{ik}) / n``, computed directly.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        Logits; not modified.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets in {0, 1}.
    loss : {'softmax', 'sigmoid'}
    sample_weight : ndarray of shape (n_samples,), default=None
    out : ndarray of shape (n_samples, n_outputs), default=None
        Buffer for the gradient.

    Returns
    -------
    loss : float
    delta : ndarray of shape (n_samples, n_outputs)
    """
    n_samples = Z.shape[0]
    if loss == "softmax":
        z_max = Z.max(axis=1, keepdims=True)
        delta = np.subtract(Z, z_max, out=out)
        np.exp(delta, out=delta)
        norm = delta.sum(axis=1)
        # CE_i = log(sum_k exp(z_ik - max_i)) + max_i - z_{i, y_i}
        ce = np.log(norm)
        ce += z_max[:, 0]
        ce -= np.einsum("ij,ij->i", Z, Y)
        delta /= norm[:, None]
    elif loss == "sigmoid":
        # softplus(z) - y z, summed over outputs
        ce = np.logaddexp(0, Z)
        ce -= Z * Y
        ce = ce.sum(axis=1)
        delta = np.negative(Z, out=out)
        with np.errstate(over="ignore"):
            np.exp(delta, out=delta)
        delta += 1
        np.reciprocal(delta, out=delta)
    else:
        raise ValueError(f"loss must be one of {list(LOSSES)}, got {loss!r}.")
    delta -= Y
    if sample_weight is None:
        value = ce.sum() / n_samples
        delta *= 1.0 / n_samples
    else:
        value = ce @ sample_weight / n_samples
        delta *= (sample_weight / n_samples)[:, None].astype(delta.dtype, copy=False)
    return float(value), delta


def backward(
    coefs,
    activations,
    delta,
    activation,
    *,
    masks=None,
    rates=None,
    coef_grads=None,
    intercept_grads=None,
    deltas=None,
):
    """Backward pass: gradients of the loss with respect to every parameter.

    The gradient with respect to the network's input is never formed.

    Parameters
    ----------
    coefs : list of ndarray
    activations : list of ndarray
        As returned by :func:`forward` with the same ``masks``.
    delta : ndarray of shape (n_samples, n_outputs)
        Gradient of the loss with respect to the output logits; it may be
        overwritten.
    activation : str
    masks, rates : list, default=None
        The dropout masks used in the forward pass and their rates.
    coef_grads, intercept_grads : list of ndarray, default=None
        Buffers for the gradients.
    deltas : list of ndarray, default=None
        Buffers of shapes ``(n_samples, hidden_sizes[i])`` for the back-propagated
        errors.

    Returns
    -------
    coef_grads, intercept_grads : list of ndarray
    """
    n_layers = len(coefs)
    if coef_grads is None:
        coef_grads = [None] * n_layers
        intercept_grads = [None] * n_layers
    # column sums as a matrix-vector product (BLAS gemv, too small to be threaded):
    # several times faster than np.sum(axis=0)
    ones = np.ones(delta.shape[0], dtype=delta.dtype)
    for i in range(n_layers - 1, -1, -1):
        coef_grads[i] = np.matmul(activations[i].T, delta, out=coef_grads[i])
        intercept_grads[i] = np.dot(ones, delta, out=intercept_grads[i])
        if i == 0:
            break
        delta = np.matmul(
            delta, coefs[i].T, out=None if deltas is None else deltas[i - 1]
        )
        scale = 1.0
        if masks is not None and masks[i - 1] is not None:
            delta *= masks[i - 1]
            scale = 1.0 / (1.0 - rates[i - 1])
        multiply_by_derivative(activation, activations[i], delta, scale)
    return coef_grads, intercept_grads


def penalty(coefs, alpha, l1_ratio):
    """Elastic-net penalty ``alpha (l1_ratio |W|_1 + (1 - l1_ratio) / 2 |W|^2)``."""
    if alpha == 0:
        return 0.0
    l1 = sum(float(np.abs(W).sum()) for W in coefs) if l1_ratio > 0 else 0.0
    l2 = sum(float(np.vdot(W, W)) for W in coefs) if l1_ratio < 1 else 0.0
    return alpha * (l1_ratio * l1 + 0.5 * (1 - l1_ratio) * l2)
