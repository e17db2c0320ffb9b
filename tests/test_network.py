"""Forward / backward passes against finite differences and plain formulas."""

import numpy as np
import pytest
from scipy.special import expit, log_softmax, softmax

from skreg.neural_network._network import (
    ACTIVATIONS,
    activate,
    backward,
    dropout_masks,
    forward,
    init_params,
    log_sigmoid,
    loss_and_delta,
    penalty,
    predict_proba_from_logits,
)
from skreg.neural_network._network import log_softmax as our_log_softmax

SIZES = [5, 4, 3]  # inputs and hidden layers


def _problem(loss, seed=0, n=7, n_out=3, activation="tanh"):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, SIZES[0])
    if loss == "softmax":
        Y = np.eye(n_out)[rng.randint(n_out, size=n)]
    else:
        Y = (rng.rand(n, n_out) > 0.5).astype(float)
    coefs, intercepts = init_params([*SIZES, n_out], activation, rng)
    sw = rng.uniform(0.2, 2.0, n)
    return X, Y, coefs, intercepts, sw


def _objective(coefs, intercepts, X, Y, activation, loss, sw, masks):
    Z = forward(coefs, intercepts, X, activation, masks=masks)[-1]
    return loss_and_delta(Z, Y, loss, sw)[0]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["softmax", "sigmoid"])
@pytest.mark.parametrize("with_dropout", [False, True])
def test_backward_matches_finite_differences(activation, loss, with_dropout):
    X, Y, coefs, intercepts, sw = _problem(loss, activation=activation)
    masks = rates = None
    if with_dropout:
        rates = [0.3, 0.5]
        masks = dropout_masks(rates, X.shape[0], SIZES[1:], np.random.RandomState(1))
    acts = forward(coefs, intercepts, X, activation, masks=masks)
    _, delta = loss_and_delta(acts[-1], Y, loss, sw)
    coef_grads, intercept_grads = backward(
        coefs, acts, delta, activation, masks=masks, rates=rates
    )
    eps = 1e-6
    for params, grads in [(coefs, coef_grads), (intercepts, intercept_grads)]:
        for p, g in zip(params, grads, strict=True):
            numeric = np.empty_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                up = _objective(coefs, intercepts, X, Y, activation, loss, sw, masks)
                p[idx] = old - eps
                down = _objective(coefs, intercepts, X, Y, activation, loss, sw, masks)
                p[idx] = old
                numeric[idx] = (up - down) / (2 * eps)
            np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)


def test_dropout_changes_the_gradient():
    # guards the finite-difference test above against masks being ignored
    X, Y, coefs, intercepts, sw = _problem("softmax")
    masks = dropout_masks([0.5, 0.5], X.shape[0], SIZES[1:], np.random.RandomState(1))
    plain = forward(coefs, intercepts, X, "tanh")[-1]
    dropped = forward(coefs, intercepts, X, "tanh", masks=masks)[-1]
    assert not np.allclose(plain, dropped)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_activations_match_formulas(activation):
    Z = np.linspace(-5, 5, 21).reshape(3, 7)
    expected = {
        "identity": Z,
        "logistic": expit(Z),
        "tanh": np.tanh(Z),
        "relu": np.maximum(Z, 0),
    }[activation]
    np.testing.assert_allclose(activate(activation, Z.copy()), expected, rtol=1e-12)


def test_logistic_activation_saturates_without_warning():
    Z = np.array([[-1000.0, 0.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(activate("logistic", Z), [[0.0, 0.5, 1.0]])


def test_forward_with_buffers_matches_and_leaves_input_alone():
    X, _, coefs, intercepts, _ = _problem("softmax")
    X_copy = X.copy()
    plain = forward(coefs, intercepts, X, "relu")
    out = [np.empty((X.shape[0], W.shape[1])) for W in coefs]
    buffered = forward(coefs, intercepts, X, "relu", out=out)
    for a, b in zip(plain, buffered, strict=True):
        np.testing.assert_array_equal(a, b)
    assert buffered[-1] is out[-1]
    np.testing.assert_array_equal(X, X_copy)


def test_forward_hidden_layers_by_hand():
    X, _, coefs, intercepts, _ = _problem("softmax")
    A1 = np.tanh(X @ coefs[0] + intercepts[0])
    A2 = np.tanh(A1 @ coefs[1] + intercepts[1])
    Z = A2 @ coefs[2] + intercepts[2]
    np.testing.assert_allclose(forward(coefs, intercepts, X, "tanh")[-1], Z)


@pytest.mark.parametrize("loss", ["softmax", "sigmoid"])
def test_loss_matches_formula(loss):
    X, Y, coefs, intercepts, sw = _problem(loss)
    Z = forward(coefs, intercepts, X, "tanh")[-1]
    if loss == "softmax":
        ce = -(Y * log_softmax(Z, axis=1)).sum(axis=1)
        proba = softmax(Z, axis=1)
    else:
        p = expit(Z)
        ce = -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).sum(axis=1)
        proba = p
    value, delta = loss_and_delta(Z, Y, loss, sw)
    n = len(sw)
    np.testing.assert_allclose(value, (sw * ce).mean(), rtol=1e-12)
    np.testing.assert_allclose(delta, sw[:, None] * (proba - Y) / n, rtol=1e-10)
    np.testing.assert_allclose(predict_proba_from_logits(Z, loss), proba, rtol=1e-12)
    unweighted, _ = loss_and_delta(Z, Y, loss)
    np.testing.assert_allclose(unweighted, ce.mean(), rtol=1e-12)


def test_losses_are_stable_for_large_logits():
    Z = np.array([[1000.0, -1000.0, 0.0]])
    Y = np.array([[1.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, delta = loss_and_delta(Z, Y, "softmax")
        assert value == 0.0
        value, _ = loss_and_delta(Z, np.array([[0.0, 1.0, 0.0]]), "sigmoid")
    np.testing.assert_allclose(value, 1000 + 1000 + np.log(2))
    np.testing.assert_allclose(our_log_softmax(Z), [[0.0, -2000.0, -1000.0]])
    np.testing.assert_allclose(log_sigmoid(Z), [[0.0, -1000.0, -np.log(2)]])


def test_dropout_masks():
    rng = np.random.RandomState(0)
    masks = dropout_masks([0.25, 0.0], 2000, [50, 7], rng, np.float32)
    assert masks[1] is None
    mask = masks[0]
    assert mask.dtype == np.float32 and mask.shape == (2000, 50)
    assert set(np.unique(mask)) == {0.0, np.float32(1 / 0.75)}
    assert abs((mask == 0).mean() - 0.25) < 0.01
    again = dropout_masks([0.25, 0.0], 2000, [50, 7], np.random.RandomState(0),
                          np.float32)
    np.testing.assert_array_equal(again[0], mask)


def test_init_params_shapes_dtype_and_seed():
    coefs, intercepts = init_params([5, 4, 2], "relu", np.random.RandomState(0),
                                    np.float32)
    assert [W.shape for W in coefs] == [(5, 4), (4, 2)]
    assert [b.shape for b in intercepts] == [(4,), (2,)]
    assert all(a.dtype == np.float32 for a in coefs + intercepts)
    again, _ = init_params([5, 4, 2], "relu", np.random.RandomState(0), np.float32)
    np.testing.assert_array_equal(coefs[0], again[0])


def test_penalty():
    coefs = [np.array([[1.0, -2.0]]), np.array([[3.0]])]
    assert penalty(coefs, 0.5, 0.2) == pytest.approx(0.5 * (0.2 * 6 + 0.4 * 14))
    assert penalty(coefs, 0.0, 0.2) == 0.0
