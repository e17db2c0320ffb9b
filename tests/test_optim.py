"""Each optimizer step against a hand-written formula."""

import numpy as np
import pytest

from skreg.neural_network import _optim as optim


def _params(seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    return [rng.randn(3, 2).astype(dtype), rng.randn(2).astype(dtype)]


def _grads(step, dtype=np.float64):
    rng = np.random.RandomState(100 + step)
    return [rng.randn(3, 2).astype(dtype), rng.randn(2).astype(dtype)]


def _run(transform, params, n_steps):
    """Apply ``n_steps`` updates with the gradients of ``_grads``."""
    params = [p.copy() for p in params]
    state = transform.init(params)
    for step in range(n_steps):
        updates, state = transform.update(
            _grads(step, params[0].dtype), state, params
        )
        optim.apply_updates(params, updates)
    return params


MASK = [True, False]  # weights decay, biases do not


def test_sgd():
    p0 = _params()
    out = _run(optim.sgd(0.1), p0, 2)
    for k in range(2):
        np.testing.assert_allclose(out[k], p0[k] - 0.1 * (_grads(0)[k] + _grads(1)[k]))


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum(nesterov):
    p0, lr, mu = _params(), 0.1, 0.9
    out = _run(optim.sgd(lr, momentum=mu, nesterov=nesterov), p0, 3)
    for k in range(2):
        p, t = p0[k].copy(), np.zeros_like(p0[k])
        for step in range(3):
            g = _grads(step)[k]
            t = mu * t + g
            p = p - lr * (g + mu * t if nesterov else t)
        np.testing.assert_allclose(out[k], p, rtol=1e-12)


@pytest.mark.parametrize("layout", ["C", "F", "float32"])
def test_adam(layout):
    # C-ordered float64 and float32 take the compiled loop; the Fortran-ordered
    # weights (moments allocated like them) take the numpy fallback
    dtype = np.float32 if layout == "float32" else np.float64
    p0, lr, b1, b2, eps = _params(dtype=dtype), 0.01, 0.8, 0.9, 1e-3
    if layout == "F":
        p0 = [np.asfortranarray(p) for p in p0]
    out = _run(optim.adam(lr, b1, b2, eps), p0, 3)
    for k in range(2):
        p, m, v = p0[k].astype(np.float64), 0.0, 0.0
        for step in range(3):
            g = _grads(step)[k]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            t = step + 1
            p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        assert out[k].dtype == dtype
        np.testing.assert_allclose(
            out[k], p, rtol=1e-5 if dtype == np.float32 else 1e-12
        )


def test_adamw_with_zero_decay_is_adam():
    p0 = _params()
    adam = _run(optim.adam(0.01), p0, 4)
    adamw = _run(optim.adamw(0.01, weight_decay=0.0, mask=MASK), p0, 4)
    for a, b in zip(adam, adamw, strict=True):
        np.testing.assert_array_equal(a, b)


def test_adamw_decays_weights_only():
    p0, lr, wd = _params(), 0.01, 0.5
    plain = _run(optim.adam(lr), p0, 1)
    out = _run(optim.adamw(lr, weight_decay=wd, mask=MASK), p0, 1)
    # one step: p <- p - lr (adam(g) + wd p), biases untouched by the decay
    np.testing.assert_allclose(out[0], plain[0] - lr * wd * p0[0], rtol=1e-12)
    np.testing.assert_array_equal(out[1], plain[1])


def test_decay_without_gradient_is_a_pure_shrink():
    p0, lr, wd = _params(), 0.1, 0.3
    transform = optim.adamw(lr, weight_decay=wd, mask=MASK)
    params = [p.copy() for p in p0]
    state = transform.init(params)
    updates, state = transform.update([np.zeros_like(p) for p in params], state,
                                      params)
    optim.apply_updates(params, updates)
    np.testing.assert_allclose(params[0], (1 - lr * wd) * p0[0], rtol=1e-12)
    np.testing.assert_array_equal(params[1], p0[1])


def test_sgdw_decay_is_not_accumulated_in_momentum():
    p0, lr, wd, mu = _params(), 0.1, 0.2, 0.9
    transform = optim.chain(
        optim.trace(mu),
        optim.add_decayed_weights(wd, MASK),
        optim.scale_by_learning_rate(lr),
    )
    out = _run(transform, p0, 2)
    p, t = p0[0].copy(), 0.0
    for step in range(2):
        g = _grads(step)[0]
        t = mu * t + g
        p = p - lr * (t + wd * p)
    np.testing.assert_allclose(out[0], p, rtol=1e-12)


def test_l2_penalty_gradient_before_the_solver():
    p0, lr, l2 = _params(), 0.1, 0.5
    transform = optim.chain(
        optim.add_decayed_weights(l2, MASK), optim.scale_by_learning_rate(lr)
    )
    out = _run(transform, p0, 1)
    np.testing.assert_allclose(out[0], p0[0] - lr * (_grads(0)[0] + l2 * p0[0]))
    np.testing.assert_allclose(out[1], p0[1] - lr * _grads(0)[1])


def test_soft_threshold():
    x = np.array([-3.0, -0.5, 0.0, 0.2, 2.0])
    np.testing.assert_array_equal(optim.soft_threshold(x, 1.0), [-2, 0, 0, 0, 1])
    y = x.copy()
    optim.soft_threshold(y, 1.0, out=y)  # in place, the way the optimizer calls it
    np.testing.assert_array_equal(y, [-2, 0, 0, 0, 1])


def test_proximal_l1_step_gives_exact_zeros():
    p0, lr, l1 = _params(), 0.1, 50.0
    transform = optim.chain(
        optim.scale_by_learning_rate(lr), optim.proximal_l1(l1, lr, MASK)
    )
    out = _run(transform, p0, 1)
    q = p0[0] - lr * _grads(0)[0]
    expected = np.sign(q) * np.maximum(np.abs(q) - lr * l1, 0)
    np.testing.assert_allclose(out[0], expected, rtol=1e-12)
    assert np.all(out[0] == 0)  # threshold 5 exceeds every |q| here
    np.testing.assert_allclose(out[1], p0[1] - lr * _grads(0)[1])  # bias: no prox


def test_proximal_l1_partial_zeros():
    p0, lr, l1 = _params(), 0.1, 8.0
    transform = optim.chain(
        optim.scale_by_learning_rate(lr), optim.proximal_l1(l1, lr, MASK)
    )
    out = _run(transform, p0, 1)
    q = p0[0] - lr * _grads(0)[0]
    assert 0 < np.sum(out[0] == 0) < out[0].size
    np.testing.assert_array_equal(out[0] == 0, np.abs(q) <= lr * l1)


def test_proximal_l1_in_adams_metric():
    p0, lr, l1, b1, b2, eps = _params(), 0.1, 1.0, 0.9, 0.99, 1e-8
    metric = optim.Preconditioner()
    transform = optim.chain(
        optim.scale_by_adam(b1, b2, eps, preconditioner=metric),
        optim.scale_by_learning_rate(lr),
        optim.proximal_l1(l1, lr, MASK, preconditioner=metric),
    )
    out = _run(transform, p0, 2)
    p, m, v = p0[0].copy(), 0.0, 0.0
    for step in range(2):
        g = _grads(step)[0]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        t = step + 1
        d = np.sqrt(v / (1 - b2**t)) + eps
        q = p - lr * (m / (1 - b1**t)) / d
        p = np.sign(q) * np.maximum(np.abs(q) - lr * l1 / d, 0)
    np.testing.assert_allclose(out[0], p, rtol=1e-12)
    assert np.any(out[0] == 0)


def test_schedules():
    inv = optim.InverseScalingSchedule(0.5, 0.5)
    assert inv(0) == 0.5 and inv(3) == pytest.approx(0.25)
    plateau = optim.PlateauSchedule(1.0, factor=0.2)
    assert plateau(10) == 1.0
    plateau.reduce()
    assert plateau(11) == pytest.approx(0.2)


def test_sgd_follows_its_schedule():
    p0 = _params()
    out = _run(optim.sgd(optim.InverseScalingSchedule(0.4, 1.0)), p0, 2)
    expected = p0[0] - 0.4 * _grads(0)[0] - 0.2 * _grads(1)[0]
    np.testing.assert_allclose(out[0], expected, rtol=1e-12)


def test_float32_end_to_end():
    transform = optim.chain(
        optim.add_decayed_weights(1e-3, MASK),
        optim.scale_by_adam(),
        optim.add_decayed_weights(1e-2, MASK),
        optim.scale_by_learning_rate(1e-3),
        optim.proximal_l1(1e-2, 1e-3, MASK),
    )
    params = _params(dtype=np.float32)
    state = transform.init(params)
    updates, state = transform.update(_grads(0, np.float32), state, params)
    optim.apply_updates(params, updates)
    assert all(p.dtype == np.float32 for p in params)
    assert all(u.dtype == np.float32 for u in updates)
    adam_state = state[1]
    assert all(a.dtype == np.float32 for a in adam_state["mu"] + adam_state["nu"])


def test_update_does_not_touch_params():
    params = _params()
    before = [p.copy() for p in params]
    transform = optim.adamw(0.1, weight_decay=0.1, mask=MASK)
    state = transform.init(params)
    transform.update(_grads(0), state, params)
    for p, b in zip(params, before, strict=True):
        np.testing.assert_array_equal(p, b)
