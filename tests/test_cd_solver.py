"""The working-set solver: same optimum as plain CD, safe screening, extrapolation."""

import mmap

import numpy as np
import pytest
import scipy.sparse as sp

from skreg import ElasticNet, LassoRegressor
from skreg.linear_model import _cd_fast
from skreg.linear_model._base import make_design
from skreg.linear_model._cd_problems import DenseRestricted, GramCache
from skreg.linear_model._cd_solver import coordinate_descent, gram_problem
from skreg.linear_model._column_buffers import _MappingPool, column_buffer

from _objectives import kkt_violation


def base_problem(n=80, p=150, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    X[:, 1:] += 0.6 * X[:, :-1]  # correlated neighbours
    coef = np.zeros(p)
    coef[rng.choice(p, 8, replace=False)] = rng.randn(8) * 3
    return X, X @ coef + 0.3 * rng.randn(n)


def duplicated_columns():
    X, y = base_problem()
    return np.hstack([X, X[:, :40]]), y


def wild_scales():
    X, y = base_problem()
    return X * np.logspace(-8, 8, X.shape[1]), y


def single_informative():
    rng = np.random.RandomState(3)
    X = rng.randn(100, 200)
    return X, 2 * X[:, 17] + 0.01 * rng.randn(100)


def wide():
    # over 1000 dense features: the first working set is a share of them
    return base_problem(n=40, p=1500, seed=1)


TRICKY = {
    "duplicated_columns": (duplicated_columns, 0.05),
    "wide": (wide, 0.02),
    "wild_scales": (wild_scales, 0.05),
    "just_below_alpha_max": (base_problem, 0.999),
    "single_informative": (single_informative, 0.1),
}


def alpha_max(X, y, l1_ratio):
    Xc = X - X.mean(axis=0)
    return np.abs(Xc.T @ (y - y.mean())).max() / (X.shape[0] * l1_ratio)


def solve(X, y, alpha, l1_ratio, positive, working_sets, gram=False, tol=1e-12):
    design = make_design(X, y, None, True)
    return coordinate_descent(
        design, alpha * l1_ratio, alpha * (1 - l1_ratio),
        coef_init=np.zeros((1, X.shape[1])), positive=positive, max_iter=200_000,
        tol=tol, gram=gram_problem(design) if gram else None,
        working_sets=working_sets,
    ), design


def primal(result, design, alpha, l1_ratio):
    w = result.coef[0]
    X = design.X.toarray() if design.is_sparse else design.X
    Xc = X if design.centred else X - np.outer(design.row_scale, design.X_offset)
    r = design.y[:, 0] - Xc @ w
    n = X.shape[0]
    return (0.5 * r @ r / n + alpha * l1_ratio * np.abs(w).sum()
            + 0.5 * alpha * (1 - l1_ratio) * w @ w), Xc @ w


@pytest.mark.parametrize("case", TRICKY)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("kind", ["dense", "sparse", "gram"])
def test_working_sets_reach_the_plain_optimum(case, l1_ratio, positive, kind):
    make, fraction = TRICKY[case]
    X, y = make()
    if kind == "sparse":
        X = sp.csc_matrix(np.where(np.abs(X) > 0.5 * np.abs(X).mean(0), X, 0))
    Xd = X.toarray() if sp.issparse(X) else X
    alpha = fraction * alpha_max(Xd, y, l1_ratio)
    ws, design = solve(X, y, alpha, l1_ratio, positive, True, gram=kind == "gram")
    plain, _ = solve(X, y, alpha, l1_ratio, positive, False, gram=kind == "gram")
    assert ws.converged and plain.converged
    p_ws, fit_ws = primal(ws, design, alpha, l1_ratio)
    p_plain, fit_plain = primal(plain, design, alpha, l1_ratio)
    # Equal objective and fitted values (duplicated columns make coef non-unique);
    # both certified by their duality gaps.
    assert abs(p_ws - p_plain) <= 1e-9 * abs(p_plain) + ws.gap[0] + plain.gap[0]
    np.testing.assert_allclose(fit_ws, fit_plain, atol=1e-5 * np.abs(fit_plain).max()
                               + 1e-12)
    if positive:
        assert np.all(ws.coef >= 0)


def test_gap_safe_screening_never_discards_the_support():
    X, y = base_problem(n=60, p=300, seed=5)
    Xc, yc = X - X.mean(0), y - y.mean()
    n = X.shape[0]
    for fraction in (0.5, 0.1, 0.02):
        l1 = fraction * np.abs(Xc.T @ yc).max()
        est = LassoRegressor(alpha=l1 / n, tol=1e-14, max_iter=100_000).fit(X, y)
        support = est.coef_ != 0
        # Screen from rough points along the way, then at the optimum itself.
        for w in (np.zeros(X.shape[1]), 0.5 * est.coef_, 0.99 * est.coef_,
                  est.coef_):
            r = yc - Xc @ w
            g = Xc.T @ r
            gap, gap_lasso, s = _cd_fast.gap_from_gradient(g, w, r @ r, r @ yc, l1,
                                                           0.0, False)
            norms = np.sqrt((Xc**2).sum(0))
            keep = np.ones(X.shape[1], dtype=np.uint8)
            score = np.empty(X.shape[1])
            n_keep, n_viol = _cd_fast.screen_and_score(g, w, s, l1, 0.0, False,
                                                       norms, gap_lasso, keep, score)
            assert n_viol == np.count_nonzero((w == 0) & (np.abs(g) > l1))
            discard = keep == 0
            assert n_keep == keep.sum()
            assert not np.any(discard & support)
            # the sphere test and the scores, written out
            a = np.abs(s * g)
            expected = (a + np.sqrt(2 * max(gap_lasso, 0)) * norms < l1) & (w == 0)
            np.testing.assert_array_equal(discard, expected)
            free = ~discard & (w == 0)
            np.testing.assert_allclose(score[free], (l1 - a[free]) / norms[free])
            assert np.all(score[w != 0] == -np.inf)
            assert np.all(score[discard] == np.inf)
        assert discard.sum() > 0  # at the optimum the test does discard features


def test_extrapolation_never_raises_the_objective():
    X, y = base_problem()
    Xc, yc = np.asfortranarray(X - X.mean(0)), y - y.mean()
    l1, l2 = 0.05 * np.abs(Xc.T @ yc).max(), 1.0
    w = np.zeros(X.shape[1])
    R = yc.copy()
    sub = DenseRestricted(Xc, yc, w, R, (Xc**2).sum(0), (l1, l2, False))
    rng_seed = 1
    for _ in range(10):
        snaps = np.empty((5, X.shape[1]))
        w_prev = sub.w.copy()
        sub.run(5, snaps, False, rng_seed)
        before = sub.objective(sub.w, sub.r2())
        sub.extrapolate(w_prev, snaps)
        after = sub.objective(sub.w, sub.r2())
        assert after <= before
        np.testing.assert_allclose(sub.R, yc - Xc @ sub.w, atol=1e-10)


@pytest.mark.parametrize("precompute", ["auto", False, True])
def test_precompute_routes_agree_on_tall_data(precompute):
    rng = np.random.RandomState(0)
    X = rng.randn(2000, 120) + 0.5 * rng.randn(2000, 1)
    y = X[:, :10] @ rng.randn(10) + rng.randn(2000)
    sw = rng.rand(2000)
    ref = ElasticNet(alpha=0.01, precompute=False, tol=1e-12).fit(X, y,
                                                                  sample_weight=sw)
    est = ElasticNet(alpha=0.01, precompute=precompute, tol=1e-12).fit(
        X, y, sample_weight=sw)
    # The objective is mu-strongly convex with mu = alpha * (1 - l1_ratio), so
    # each solution lies within sqrt(2 gap / mu) of the optimum.
    mu = 0.01 * 0.5
    bound = np.sqrt(2 * est.dual_gap_ / mu) + np.sqrt(2 * ref.dual_gap_ / mu)
    assert np.linalg.norm(est.coef_ - ref.coef_) <= bound * (1 + 1e-6) + 1e-12
    assert kkt_violation(est, X, y, sw, 0.01, 0.5) <= 1e-7


@pytest.mark.parametrize("sparse", [False, True])
def test_multi_output_float32_with_working_sets(sparse):
    X, y = base_problem(n=100, p=200)
    Y = np.column_stack([y, -y, X[:, 3]]).astype(np.float32)
    X = X.astype(np.float32)
    X = sp.csr_matrix(X) if sparse else X
    est = LassoRegressor(alpha=0.02, tol=1e-7).fit(X, Y)
    assert est.coef_.dtype == np.float32 and est.coef_.shape == (3, 200)
    assert np.all(est.n_iter_ >= 1)
    assert kkt_violation(est, X, Y, None, 0.02, 1.0) <= 1e-4 * np.abs(Y).max()


def test_n_iter_bounded_by_max_iter():
    X, y = base_problem()
    with pytest.warns(Warning, match="did not converge"):
        est = LassoRegressor(alpha=1e-4, tol=1e-14, max_iter=7).fit(X, y)
    assert 1 <= est.n_iter_ <= 7


@pytest.mark.parametrize("precompute", ["auto", False, True])
def test_implicit_centring_survives_large_offsets(precompute):
    """Unweighted dense X is centred implicitly; unit weights centre a copy."""
    rng = np.random.RandomState(7)
    X = rng.randn(400, 90) + 1e6 * rng.rand(90)
    y = X[:, :4] @ np.array([1.0, -2.0, 0.5, 1.5]) + 0.1 * rng.randn(400)
    implicit = ElasticNet(alpha=0.01, precompute=precompute, tol=1e-12).fit(X, y)
    explicit = ElasticNet(alpha=0.01, precompute=precompute, tol=1e-12).fit(
        X, y, sample_weight=np.ones(400))
    np.testing.assert_allclose(implicit.coef_, explicit.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(implicit.predict(X), explicit.predict(X), rtol=1e-9)


def test_kept_stats_serve_copies_and_do_not_outlive_their_data():
    from skreg.linear_model._base import keep_stats

    X, y = base_problem(n=30, p=8)
    design = keep_stats(make_design(X, y, None, True))
    norms = design.column_sq_norms()
    np.testing.assert_allclose(norms, ((X - X.mean(0)) ** 2).sum(0))
    norms[:] = -1  # a caller's copy: the kept norms stay as they were
    assert np.all(design.column_sq_norms() > 0)
    assert design.xty is None
    given = keep_stats(design, norms=np.arange(8.0), xty=np.ones((1, 8)))
    np.testing.assert_array_equal(given.column_sq_norms(), np.arange(8.0))
    assert given.xty.shape == (1, 8)
    halved = given._replace(X=X[:, :4], X_offset=design.X_offset[:4])
    assert halved.xty is None
    assert halved.column_sq_norms().shape == (4,)


def test_gram_cache_matches_direct_products_as_sets_change():
    # sets grow, shrink and come back: each round's new columns are a chunk
    rng = np.random.RandomState(0)
    X = rng.randn(50, 30)
    y = rng.randn(50)
    cache = GramCache(X, y, lambda ws: np.asfortranarray(X[:, ws]))
    for ws in ([3, 7], [1, 3, 7, 20], [1, 20], [0, 1, 7, 20, 29], [3, 29]):
        ws = np.array(ws)
        Q, q, pos = cache.block(ws)
        np.testing.assert_allclose(Q, X[:, ws].T @ X[:, ws], rtol=1e-12)
        np.testing.assert_allclose(q, X[:, ws].T @ y, rtol=1e-12)
        np.testing.assert_array_equal(cache.cols[pos], ws)
        w = rng.randn(ws.size)
        np.testing.assert_allclose(cache.residual(pos, w), y - X[:, ws] @ w,
                                   rtol=1e-12)
    assert len(cache.chunks) == 3 and cache.cols.size == 6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, k", [(10, 3), (16, 2), (150, 7), (1 << 17, 5)])
@pytest.mark.parametrize("plain_pages", [False, True])
def test_column_buffer(dtype, n, k, plain_pages):
    # contiguous, writable columns, each starting on a 64-byte line; with
    # plain_pages and from 4 MiB a mapping of its own, else a numpy array
    out = column_buffer(n, k, dtype, plain_pages)
    assert out.shape == (n, k) and out.dtype == dtype and out.flags.writeable
    assert out.strides[0] == out.itemsize
    assert out.ctypes.data % 64 == 0 and out.strides[1] % 64 == 0
    assert out.strides[1] - n * out.itemsize < 64  # padded to one line at most
    ld = out.strides[1] // out.itemsize
    full = np.lib.stride_tricks.as_strided(out, shape=(ld, k))
    assert np.all(full[n:] == 0)  # the padding the kernels may run over
    out[:] = np.arange(k, dtype=dtype)
    assert np.all(out[-1] == np.arange(k)) and np.all(out[0] == np.arange(k))
    base = out
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    big = out.strides[1] * k >= 1 << 22
    assert isinstance(base, mmap.mmap) == (plain_pages and big)


def tall_problem(n=10_000, p=100, seed=0):
    # enough rows for sampled gradients (see DenseTarget.sampled_gradient)
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 0.5 * rng.randn(n, 1) + 3.0
    coef = np.zeros(p)
    coef[rng.choice(p, 25, replace=False)] = rng.randn(25)
    return X, X @ coef + rng.randn(n)


def tall_fit(l1_ratio, positive, weighted):
    """``(design, alpha, common arguments)`` of a fit on :func:`tall_problem`
    at alpha_max / 100, to tol 1e-10."""
    X, y = tall_problem()
    sw = np.random.RandomState(2).rand(X.shape[0]) if weighted else None
    alpha = 0.01 * alpha_max(X, y, l1_ratio)
    design = make_design(X, y, sw, True)
    common = dict(coef_init=np.zeros((1, X.shape[1])), positive=positive,
                  max_iter=100_000, tol=1e-10)
    return design, alpha, common


def assert_same_optimum(fit, reference, design, alpha, l1_ratio, positive):
    """``fit`` converged to ``reference``'s optimum, and the gap it returned is
    the exact one at its solution."""
    assert fit.converged and reference.converged
    Xc = design.X if design.centred else design.X - design.X_offset
    yd, w = design.y[:, 0], fit.coef[0]
    r = yd - Xc @ w
    n = Xc.shape[0]
    lam1, lam2 = alpha * l1_ratio * n, alpha * (1 - l1_ratio) * n
    gap, _, _ = _cd_fast.gap_from_gradient(Xc.T @ r, w, r @ r, r @ yd, lam1, lam2,
                                           positive)
    np.testing.assert_allclose(fit.gap[0], gap / n, rtol=1e-6, atol=1e-12)
    p_fit, fitted = primal(fit, design, alpha, l1_ratio)
    p_ref, fitted_ref = primal(reference, design, alpha, l1_ratio)
    assert abs(p_fit - p_ref) <= 1e-9 * abs(p_ref) + fit.gap[0] + reference.gap[0]
    np.testing.assert_allclose(fitted, fitted_ref,
                               atol=1e-5 * np.abs(fitted_ref).max())


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("order", ["C", "F"])
def test_sampled_gradient_is_the_centred_sum_over_its_blocks(weighted, order):
    from skreg.linear_model._cd_problems import DenseTarget

    X, y = tall_problem()
    X = np.asarray(X, order=order)
    sw = np.random.RandomState(1).rand(X.shape[0]) if weighted else None
    design = make_design(X, y, sw, True)
    w = np.zeros(X.shape[1])
    w[:5] = 0.3
    penalty = (1.0, 0.0, False)
    target = DenseTarget(design, design.y[:, 0], w, design.column_sq_norms(),
                         penalty, True)
    assert target.can_sample
    g, r2, ry = target.gradient()
    gs, r2s, rys = target.sampled_gradient()
    assert (r2s, rys) == (r2, ry)  # exact
    size, starts = target._sample_blocks()
    rows = np.concatenate([np.arange(s, s + size) for s in starts])
    assert np.unique(rows).size == rows.size >= X.shape[0] // 4
    Xd = design.X if design.centred else design.X - design.X_offset
    expected = Xd[rows].T @ target.R[rows] * (X.shape[0] / rows.size)
    np.testing.assert_allclose(gs, expected, rtol=1e-10,
                               atol=1e-10 * np.abs(expected).max())
    # an estimate of the exact gradient, good enough to rank features
    assert np.corrcoef(g, gs)[0, 1] > 0.9
    short = make_design(X[:8000], y[:8000], None, True)
    assert not DenseTarget(short, short.y[:, 0], np.zeros(X.shape[1]),
                           short.column_sq_norms(), penalty, True).can_sample


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_sampled_rounds_reach_the_plain_optimum(monkeypatch, l1_ratio, positive,
                                                weighted):
    from skreg.linear_model._cd_problems import DenseTarget

    calls = []
    sampled = DenseTarget.sampled_gradient
    monkeypatch.setattr(DenseTarget, "sampled_gradient",
                        lambda self: calls.append(1) or sampled(self))
    design, alpha, common = tall_fit(l1_ratio, positive, weighted)
    ws = coordinate_descent(design, alpha * l1_ratio, alpha * (1 - l1_ratio),
                            **common)
    assert calls, "no round ran on a sampled gradient"
    plain = coordinate_descent(design, alpha * l1_ratio, alpha * (1 - l1_ratio),
                               working_sets=False, **common)
    assert_same_optimum(ws, plain, design, alpha, l1_ratio, positive)
    if positive:
        assert np.all(ws.coef >= 0)


def test_mapping_pool_hands_out_only_released_mappings_within_its_limit():
    import gc

    pool = _MappingPool(limit=3 << 20)
    a = pool.take(1 << 20)
    b = pool.take(1 << 20)
    assert a is not b
    pool.give(a)
    assert pool.take(600_000) is a  # up to twice the size asked for
    pool.give(a)
    assert pool.take(400_000) is not a  # more than twice: a new one
    assert pool.take(2 << 20) is not a  # too small
    pool.give(b)
    assert pool.free == [a, b]
    c = pool.take(2 << 20)
    pool.give(c)  # 1 + 1 + 2 MiB: the longest kept goes
    assert pool.free == [b, c]
    pool.give(pool.take(4 << 20))  # over the limit on its own: not kept
    assert pool.free == [b, c]
    pool.clear()
    assert pool.free == []
    # column_buffer's mappings return to the shared pool once their views die
    from skreg.linear_model import _column_buffers

    _column_buffers._pool.clear()
    n, k = (1 << 17) + 3, 5  # 5 rows of padding per column
    out = column_buffer(n, k, np.float64, plain_pages=True)
    ld = out.strides[1] // out.itemsize
    np.lib.stride_tricks.as_strided(out, shape=(ld, k))[:] = 7.0
    view = out[:, 2]
    del out
    gc.collect()
    assert _column_buffers._pool.free == []  # a view still holds it
    del view
    gc.collect()
    assert len(_column_buffers._pool.free) == 1
    again = column_buffer(n, k, np.float64, plain_pages=True)
    assert _column_buffers._pool.free == []  # handed out again
    assert np.all(np.lib.stride_tricks.as_strided(again, shape=(ld, k))[n:] == 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_known_xty_gives_the_first_gradient_and_gram_block_correlations(dtype):
    from skreg.linear_model._base import design_stats
    from skreg.linear_model._cd_problems import DenseTarget

    X, y = tall_problem(n=2000, p=70)
    X, y = X.astype(dtype), y.astype(dtype)
    _, _, xty, _ = design_stats(X, y, None, True)
    design = make_design(X, y, None, True)
    yc, p = design.y[:, 0], X.shape[1]
    Xc = X.astype(float) - X.astype(float).mean(0)
    want = Xc.T @ yc.astype(float)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for given in (xty, None):
        target = DenseTarget(design, yc, np.zeros(p, dtype=dtype),
                             design.column_sq_norms(), (1.0, 0.0, False), True,
                             given)
        g, r2, ry = target.gradient()
        assert g.dtype == dtype
        np.testing.assert_allclose(g, want, rtol=rtol, atol=rtol * np.abs(want).max())
        _, q, _ = target._gram.block(np.array([3, 8, 40]))
        np.testing.assert_allclose(q, want[[3, 8, 40]], rtol=rtol,
                                   atol=rtol * np.abs(want).max())
    # a second gradient is a pass over X at the current residual
    target.R[:] = 0
    assert not np.any(target.gradient()[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_working_sets_share_one_buffer_and_keep_it_zero_padded(dtype, order):
    from skreg.linear_model._cd_problems import DenseTarget

    X, y = tall_problem(n=203, p=40)  # 203 rows: columns padded to 208 or 224
    X = np.asarray(X, dtype=dtype, order=order)
    design = make_design(X, y.astype(dtype), None, True)
    target = DenseTarget(design, design.y[:, 0], np.zeros(40, dtype=dtype),
                         design.column_sq_norms(), (1.0, 0.0, False), False)
    Xc = X.astype(float) - X.astype(float).mean(0)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    views, rooms = [], []
    for ws in ([3, 7], [0, 5, 9, 11, 30], [1, 2], [4, 8, 12, 16, 20, 24, 28, 32, 36,
                                                    38, 39, 0, 1, 2, 3, 5, 6, 9, 10,
                                                    11, 13, 14, 15, 17, 19]):
        ws = np.array(ws)
        cols = target.columns(ws)
        np.testing.assert_allclose(cols, Xc[:, ws], rtol=rtol,
                                   atol=rtol * np.abs(Xc).max())
        # the zero rows the padded passes read past each column's end: zero for
        # every set, even after something wrote into them
        ld = cols.strides[1] // cols.itemsize
        assert ld > 203
        padded = np.lib.stride_tricks.as_strided(cols, shape=(ld, cols.shape[1]))
        assert not np.any(padded[203:])
        padded[203:] = np.nan
        views.append(cols)
        rooms.append(target._ws_buffer.shape[1])
    # a buffer has room for four times the set that made it (at most half the
    # features, at least the set): the next sets that fit reuse it, a larger
    # one gets its own
    assert rooms == [8, 8, 8, 25]
    assert all(np.shares_memory(views[0], v) for v in views[1:3])
    assert not np.shares_memory(views[0], views[3])
    assert views[3].base is target._ws_buffer.base
    # the whole design is the target's own copy, not the sets' buffer
    assert not np.shares_memory(target.all_columns(), views[3])


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_residual_joined_to_the_gradient_after_gram_blocks(monkeypatch, l1_ratio,
                                                           positive, weighted):
    # Where the gradient's pass runs over C-ordered rows (X past the L3 cache;
    # here any X), the residual a Gram block's solve leaves is computed in that
    # pass; the fit must match the one that computes it from the block
    from skreg.linear_model import _columns_fast

    design, alpha, common = tall_fit(l1_ratio, positive, weighted)
    apart = coordinate_descent(design, alpha * l1_ratio, alpha * (1 - l1_ratio),
                               **common)
    calls = []
    joined = _columns_fast.rows_residual_dot
    monkeypatch.setattr(_columns_fast, "ROWS_DOT_MIN_BYTES", 0)
    monkeypatch.setattr(_columns_fast, "rows_residual_dot",
                        lambda *a: calls.append(1) or joined(*a))
    fused = coordinate_descent(design, alpha * l1_ratio, alpha * (1 - l1_ratio),
                               **common)
    assert calls, "no gradient computed the residual of a Gram block"
    assert_same_optimum(fused, apart, design, alpha, l1_ratio, positive)
