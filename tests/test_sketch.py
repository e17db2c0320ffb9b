"""First working sets from a fit on a sample of rows (``_sketch``), their
columns gathered in the statistics pass, and the Gram blocks built on them."""

import numpy as np
import pytest

from skreg import ElasticNet
from skreg.linear_model import _cd_fast, _columns_fast, _elastic_net, _sketch
from skreg.linear_model._base import make_design
from skreg.linear_model._cd_problems import GramCache
from skreg.linear_model._cd_solver import coordinate_descent

from _objectives import kkt_violation, objective


def tall(n=9000, p=120, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 0.3 * rng.randn(n, 1) + 3.0  # correlated, off-centre
    X[:, 1:] += 0.5 * X[:, :-1]
    coef = np.zeros(p)
    coef[rng.choice(p, 12, replace=False)] = np.repeat([2.0, -2.0], 6)
    y = X @ coef + rng.randn(n)
    return X.astype(dtype), y.astype(dtype)


def alpha_for(X, y, l1_ratio, share=0.05):
    return share * np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / (
        X.shape[0] * l1_ratio)


@pytest.fixture
def small_samples(monkeypatch):
    """Samples from 9000 rows (the default needs 16 x 2048)."""
    monkeypatch.setattr(_sketch, "MIN_ROWS", 256)


def spy(monkeypatch):
    """Record each first set and each prefetched block the fits use."""
    sets, taken = [], []
    first_set, add = _elastic_net.first_set, GramCache._add

    def recording_first_set(*args):
        out = first_set(*args)
        sets.append(out)
        return out

    def recording_add(self, new, X_new, shift):
        if shift is not None:
            taken.append(new.size)
        return add(self, new, X_new, shift)

    monkeypatch.setattr(_elastic_net, "first_set", recording_first_set)
    monkeypatch.setattr(GramCache, "_add", recording_add)
    return sets, taken


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n", [0, 1, 5, 63, 64, 65, 130])
# unsorted and repeated columns: the pass gathers sorted ones along its sweep of
# a row and catches up on the others at the row's end
@pytest.mark.parametrize("cols", [[], [3], [0, 5, 36, 12], [36, 2, 2]])
def test_stats_pass_gathers_columns_less_offset(dtype, order, n, cols):
    rng = np.random.RandomState(n)
    X = np.asarray((rng.randn(n, 37) * 3 + 5).astype(dtype), order=order)
    y = rng.randn(n)
    offset = rng.randn(37)
    mean, sq, xty, out = _columns_fast.column_stats_gather(X, y, cols, offset)
    for got, want in zip((mean, sq, xty), _columns_fast.column_stats(X, y),
                         strict=True):
        np.testing.assert_array_equal(got, want)
    want = (X[:, cols].astype(np.float64) - offset[cols]).astype(dtype)
    assert out.shape == want.shape and out.dtype == dtype
    np.testing.assert_array_equal(out, want)
    assert n <= 1 or out.strides[0] == out.itemsize  # contiguous columns
    with pytest.raises(ValueError, match="out of range"):
        _columns_fast.column_stats_gather(X, y, [37], offset)
    with pytest.raises(ValueError, match="do not match"):
        _columns_fast.column_stats_gather(X, y, cols, offset[:-1])


def test_prefetched_columns_give_the_centred_gram_blocks():
    X, y = tall(n=3000, p=40)
    design = make_design(X, y, None, True)
    mean, yc = design.X_offset, design.y[:, 0]
    rng = np.random.RandomState(1)
    offset = mean + rng.randn(X.shape[1])  # shifts of the order of the spread
    features = np.array([2, 5, 6, 11, 20, 33])

    def gather(cols):
        return np.asfortranarray(X[:, cols] - mean[cols])

    ready = _sketch.Prefetched(features, np.ones(features.size),
                               np.asfortranarray(X[:, features] - offset[features]),
                               mean[features] - offset[features])
    shifted, plain = GramCache(X, yc, gather, ready), GramCache(X, yc, gather)
    w = rng.randn(X.shape[1])
    # the prefetched set, then more features with gathered columns
    for ws in (features, [1, 2, 5, 6, 11, 20, 33], [0, 1, 2, 5, 6, 11, 20, 33, 39]):
        ws = np.array(ws)
        Q, q, pos = shifted.block(ws)
        Q0, q0, pos0 = plain.block(ws)
        Xc = X[:, ws] - mean[ws]
        np.testing.assert_allclose(Q, Xc.T @ Xc, rtol=1e-10, atol=1e-8)
        np.testing.assert_allclose(Q0, Xc.T @ Xc, rtol=1e-10, atol=1e-8)
        np.testing.assert_allclose(q, Xc.T @ yc, rtol=1e-10, atol=1e-8)
        np.testing.assert_allclose(shifted.residual(pos, w[ws]), yc - Xc @ w[ws],
                                   rtol=1e-10, atol=1e-8)
    assert [s is not None for s in shifted.shifts] == [True, False, False]
    # a first block of other features gathers them, and drops the prefetched
    other = GramCache(X, yc, gather, ready)
    other.block(np.array([2, 5]))
    other.block(features)
    assert other.shifts == [None, None] and other.ready is None


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sketched_fit_reaches_the_unsketched_optimum(monkeypatch, small_samples,
                                                     l1_ratio, positive, dtype):
    X, y = tall(dtype=dtype)
    X_before = X.copy()
    alpha = alpha_for(X, y, l1_ratio)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    sets, taken = spy(monkeypatch)
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive, tol=tol,
                     max_iter=100_000).fit(X, y)
    assert sets[-1] is not None and taken, "the fit did not start from a sample"
    np.testing.assert_array_equal(X, X_before)
    monkeypatch.setattr(_elastic_net, "first_set", lambda *args: None)
    ref = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive, tol=tol,
                     max_iter=100_000).fit(X, y)
    gaps = abs(est.dual_gap_) + abs(ref.dual_gap_)  # float32's may round below 0
    p, p_ref = (objective(e, X.astype(float), y.astype(float), None, alpha, l1_ratio)
                for e in (est, ref))
    rtol = 1e-6 if dtype == np.float32 else 1e-9
    assert abs(p - p_ref) <= rtol * abs(p_ref) + gaps
    # optimal: the duality gap at the returned point, recomputed in float64
    n = X.shape[0]
    Xc, yc = X - X.mean(0, dtype=float), y - y.mean(dtype=float)
    w = est.coef_.astype(float)
    r = yc - Xc @ w
    gap, _, _ = _cd_fast.gap_from_gradient(Xc.T @ r, w, r @ r, r @ yc,
                                           alpha * l1_ratio * n,
                                           alpha * (1 - l1_ratio) * n, positive)
    slack = 1e-3 if dtype == np.float32 else 1e-6
    assert gap / n <= tol * (yc @ yc) / n * (1 + slack) + slack * 1e-6 * (yc @ yc) / n
    np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=0,
                               atol=100 * slack * np.abs(y).max())
    if positive:
        assert np.all(est.coef_ >= 0)


@pytest.mark.parametrize("case", ["wrong features", "one missing", "far offset",
                                  "no support"])
def test_a_misleading_first_set_still_reaches_the_optimum(monkeypatch,
                                                          small_samples, case):
    X, y = tall()
    p = X.shape[1]
    alpha = alpha_for(X, y, 1.0)
    monkeypatch.setattr(_elastic_net, "first_set", lambda *args: None)
    ref = ElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-10, max_iter=100_000).fit(X, y)
    support = np.flatnonzero(ref.coef_)
    rng = np.random.RandomState(4)
    if case == "wrong features":  # misses half the support, holds others
        features = np.union1d(support[::2], np.setdiff1d(np.arange(p), support)[:10])
    elif case == "one missing":  # the smallest coefficient
        features = np.setdiff1d(support, support[np.argmin(abs(ref.coef_[support]))])
    else:
        features = np.union1d(support, np.arange(5))
    start = rng.randn(features.size)
    if case == "no support":
        start[:] = 0
    elif case == "one missing":
        start = ref.coef_[features]
    offset = X.mean(0) + (1e3 if case == "far offset" else 0.1)

    def first_set(*args):
        return _sketch.FirstSet(features, start.astype(X.dtype), offset)

    monkeypatch.setattr(_elastic_net, "first_set", first_set)
    _, taken = spy(monkeypatch)
    blocks, block = [], GramCache.block
    monkeypatch.setattr(GramCache, "block",
                        lambda self, ws: blocks.append(ws) or block(self, ws))
    est = ElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-10, max_iter=100_000).fit(X, y)
    if case != "far offset":
        np.testing.assert_array_equal(blocks[0], features)
    if case == "one missing":
        # the next set keeps the first (its products are known) and adds the
        # violators only, among them the feature it missed: not twice the
        # support, as a set chosen by scores would be
        assert np.isin(support, blocks[1]).all()
        assert blocks[1].size < 2 * features.size
    # shifts beyond what a sample of rows can give are not used (see
    # _sketch.prefetched): their Gram blocks would cancel. Otherwise the
    # prefetched columns serve the first set, or later ones (no support).
    assert bool(taken) == (case != "far offset")
    assert kkt_violation(est, X, y, None, alpha, 1.0) <= 1e-6 * alpha
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-5,
                               atol=1e-6 * np.abs(ref.coef_).max())


def test_first_set_holds_the_samples_support_and_its_nearest_zeros(small_samples):
    X, y = tall()
    alpha = alpha_for(X, y, 1.0, share=0.03)  # with a zero near violating
    first = _sketch.first_set(X, y, alpha, 0.0, False, 1000, coordinate_descent)
    assert np.all(np.diff(first.features) > 0)
    # the sample's support and the zeros within 10% of violating on it
    rows = _sketch.sample_rows(*X.shape)
    Xs, ys = X[::_sketch.SHARE], y[::_sketch.SHARE]
    assert Xs.shape[0] == rows
    np.testing.assert_allclose(first.offset, Xs.mean(0), rtol=1e-12)
    Xs, ys = Xs - Xs.mean(0), ys - ys.mean()
    w = np.zeros(X.shape[1])
    w[first.features] = first.start
    score = np.abs(Xs.T @ (ys - Xs @ w)) / (rows * alpha)
    assert np.any(w) and np.any(first.start == 0)
    expected = np.flatnonzero((w != 0) | (score >= _sketch.NEAR))
    np.testing.assert_array_equal(first.features, expected)
    # it finds the full data's support
    full = np.flatnonzero(ElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-10)
                          .fit(X, y).coef_)
    assert np.isin(full, first.features).mean() >= 0.9
    # no set from a sample with NaN (the fit's own check reports it), from a
    # support of a quarter of the features or more, or from short X
    X_nan = X.copy()
    X_nan[_sketch.SHARE * 3, 7] = np.nan
    assert _sketch.first_set(X_nan, y, alpha, 0.0, False, 1000,
                             coordinate_descent) is None
    assert _sketch.first_set(X, y, alpha / 1e4, 0.0, False, 1000,
                             coordinate_descent) is None
    assert _sketch.sample_rows(_sketch.SHARE * 255, 10) == 0
    assert _sketch.sample_rows(_sketch.SHARE * 256, 80) == 0  # 4 rows a feature


def test_sample_rows_default_needs_tall_data():
    assert _sketch.sample_rows(16 * 2048, 100) == 2048
    assert _sketch.sample_rows(16 * 2048 - 200, 100) == 0
    assert _sketch.sample_rows(50_000, 378) == 3125
    assert _sketch.sample_rows(50_000, 800) == 0


@pytest.mark.parametrize("where", ["in the sample", "outside it"])
def test_nan_in_tall_x_is_still_reported(small_samples, where):
    X, y = tall()
    X[0 if where == "in the sample" else 1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ElasticNet(alpha=0.1).fit(X, y)


@pytest.mark.parametrize("variant", ["weighted", "F-ordered", "two targets",
                                     "warm start", "no intercept", "gram",
                                     "ridge only"])
def test_only_plain_tall_fits_sketch(monkeypatch, small_samples, variant):
    X, y = tall()
    sets, _ = spy(monkeypatch)
    est = ElasticNet(alpha=0.1, tol=1e-6)
    kwargs = {}
    if variant == "weighted":
        kwargs["sample_weight"] = np.random.RandomState(0).rand(X.shape[0])
    elif variant == "F-ordered":
        X = np.asfortranarray(X)
    elif variant == "two targets":
        y = np.column_stack([y, -y])
    elif variant == "warm start":
        est.set_params(warm_start=True).fit(X, y)
        sets.clear()
    elif variant == "no intercept":
        est.set_params(fit_intercept=False)
    elif variant == "gram":
        est.set_params(precompute=True)
    else:
        est.set_params(l1_ratio=0.0)
    est.fit(X, y, **kwargs)
    assert sets == []
    ElasticNet(alpha=0.1, tol=1e-6).fit(np.ascontiguousarray(X), y[:, 0]
                                        if y.ndim == 2 else y)
    assert len(sets) == 1  # the plain fit does


def test_default_sample_on_tall_data(monkeypatch):
    X, y = tall(n=16 * 2048 + 100, p=70, seed=2)
    sets, taken = spy(monkeypatch)
    alpha = alpha_for(X, y, 1.0)
    est = ElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-8).fit(X, y)
    assert sets[-1] is not None and taken == [sets[-1].features.size]
    assert kkt_violation(est, X, y, None, alpha, 1.0) <= 1e-4 * alpha


def test_a_start_without_gram_blocks_sets_the_residual():
    from skreg.linear_model._cd_problems import DenseTarget

    X, y = tall(n=500, p=30)
    design = make_design(X, y, None, True)
    w = np.zeros(X.shape[1])
    target = DenseTarget(design, design.y[:, 0], w, design.column_sq_norms(),
                         (1.0, 0.0, False), False)
    ws, start = np.array([1, 4, 9]), np.array([0.5, -1.0, 2.0])
    restricted, _ = target.restrict(ws, False, start)
    np.testing.assert_array_equal(restricted.w, start)
    Xc = X - X.mean(0)
    np.testing.assert_allclose(target.R, design.y[:, 0] - Xc[:, ws] @ start,
                               rtol=1e-12, atol=1e-10)
