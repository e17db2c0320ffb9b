"""The solver's column helpers against numpy and scipy; non-canonical sparse input."""

import numpy as np
import pytest
import scipy.sparse as sp

from skreg import LassoRegressor
from skreg.linear_model import _cd_solver, _columns_fast
from skreg.linear_model._column_buffers import column_buffer


def random_csc(dtype=np.float64, seed=0):
    X = sp.random(40, 25, density=0.2, random_state=seed, dtype=dtype).toarray()
    X[:, 3] = 0  # an empty column
    return sp.csc_matrix(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_column_sums(dtype, index_dtype):
    X = random_csc(dtype)
    indptr = X.indptr.astype(index_dtype)
    dense = X.toarray().astype(np.float64)
    np.testing.assert_allclose(_columns_fast.column_sums(X.data, indptr, False),
                               dense.sum(0), rtol=1e-6)
    np.testing.assert_allclose(_columns_fast.column_sums(X.data, indptr, True),
                               (dense**2).sum(0), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gather_columns_and_matvec(dtype):
    X = random_csc(dtype)
    cols = np.array([7, 3, 0, 24, 7], dtype=np.int32)  # unsorted, repeated, empty
    parts = _columns_fast.gather_columns(X.data, X.indices, X.indptr, cols)
    sub = sp.csc_matrix(parts, shape=(X.shape[0], cols.size))
    np.testing.assert_array_equal(sub.toarray(), X[:, cols].toarray())
    w = np.random.RandomState(0).randn(cols.size).astype(dtype)
    w[1] = 0
    out = _columns_fast.matvec(*parts, w, X.shape[0])
    assert out.dtype == dtype
    np.testing.assert_allclose(out, X[:, cols] @ w, rtol=1e-5)
    with pytest.raises(ValueError, match="number of columns"):
        _columns_fast.matvec(*parts, w[:-1], X.shape[0])


def test_duplicate_entries_are_summed_not_squared_apart():
    # A CSC matrix may store one entry as several duplicates; the column norms
    # must be those of the summed entries. The caller's matrix is left as it is.
    X = random_csc(seed=1)
    rng = np.random.RandomState(1)
    y = rng.randn(X.shape[0])
    halves = sp.csc_matrix(
        (np.repeat(X.data / 2, 2), np.repeat(X.indices, 2), 2 * X.indptr),
        shape=X.shape,
    )
    assert not halves.has_canonical_format
    stored = halves.data.copy()
    a = LassoRegressor(alpha=0.01, tol=1e-12).fit(X, y)
    b = LassoRegressor(alpha=0.01, tol=1e-12).fit(halves, y)
    np.testing.assert_allclose(b.coef_, a.coef_, atol=1e-10)
    np.testing.assert_array_equal(halves.data, stored)
    assert halves.nnz == stored.size


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n", [1, 3, 4, 9])
def test_centred_sq_norms(n, order, dtype):
    rng = np.random.RandomState(n)
    X = np.asarray(rng.randn(n, 5) * 1e-3 + 1e4, dtype=dtype, order=order)
    mean = X.astype(np.float64).mean(0)
    expected = ((X.astype(np.float64) - mean) ** 2).sum(0)
    out = _columns_fast.centred_sq_norms(X, mean)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="contiguous"):
        _columns_fast.centred_sq_norms(np.ones((4, 6))[:, ::2], np.zeros(3))
    with pytest.raises(ValueError, match="mean"):
        _columns_fast.centred_sq_norms(X, mean[:-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("n", [1, 2, 5, 8, 9, 403, 20_001])
def test_column_stats(n, order, dtype):
    # n = 20 001: the outlying first row makes the shifted sums of column 2
    # cancel four digits, and that column is redone exactly
    rng = np.random.RandomState(n)
    X = rng.randn(n, 7) * np.logspace(-3, 3, 7)
    X[:, 1] += 1e6  # a mean large against the spread
    X[0, 2] += 1e5  # the first row far from the others: the shifted sums cancel
    X[:, 3] = 2.5  # constant
    X = np.asarray(X, dtype=dtype, order=order)
    X64 = X.astype(np.float64)
    y = rng.randn(n)
    mean, sq, xty = _columns_fast.column_stats(X, y)
    # to rounding against the size of the terms summed
    assert np.all(np.abs(xty - X64.T @ y) <= 1e-12 * (np.abs(X64).T @ np.abs(y)))
    assert _columns_fast.column_stats(X)[2] is None
    # centring needs the mean to a fraction of the spread
    spread = X64.std(0) + 1e-300
    assert np.all(np.abs(mean - X64.mean(0)) <= 1e-13 * (np.abs(mean) + spread))
    np.testing.assert_allclose(sq, ((X64 - X64.mean(0)) ** 2).sum(0), rtol=1e-11)
    assert sq[3] == 0
    with pytest.raises(ValueError, match="contiguous"):
        _columns_fast.column_stats(np.ones((4, 6))[:, ::2])
    with pytest.raises(ValueError, match="rows"):
        _columns_fast.column_stats(X, y[:-1] if n > 1 else np.ones(2))


def test_column_stats_carries_non_finite_values():
    X = np.ones((6, 3))
    X[4, 1] = np.nan
    X[2, 2] = np.inf
    mean, sq, _ = _columns_fast.column_stats(X)
    assert np.isfinite(mean[0]) and np.isfinite(sq[0])
    assert not np.isfinite(mean[1]) and not np.isfinite(mean[2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [15, 16, 17, 63, 64, 65, 150])
def test_column_stats_on_rows_of_several_sweeps(p, dtype):
    # the pass over C-ordered rows sweeps 64 doubles or 16 floats between
    # bursts of prefetches: every width around and across those, with a
    # gather of the columns at the sweeps' edges
    rng = np.random.RandomState(p)
    X = (rng.randn(41, p) * 2 + 3).astype(dtype)
    y = rng.randn(41)
    X64 = X.astype(np.float64)
    mean, sq, xty = _columns_fast.column_stats(X, y)
    np.testing.assert_allclose(mean, X64.mean(0), rtol=1e-13)
    np.testing.assert_allclose(sq, ((X64 - X64.mean(0)) ** 2).sum(0), rtol=1e-11)
    np.testing.assert_allclose(xty, X64.T @ y, rtol=1e-11, atol=1e-12)
    cols = sorted({0, 15, 16, 17, 63, 64, 65, 128, p - 1} & set(range(p)))
    offset = rng.randn(p)
    *stats, out = _columns_fast.column_stats_gather(X, y, cols, offset)
    for got, want in zip(stats, (mean, sq, xty), strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(
        out, (X64[:, cols] - offset[cols]).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 2, 5, 2049, 2050, 4100, 4101])
def test_column_stats_gather_across_row_blocks(n, dtype):
    # the pass gathers its columns a block of 512 KiB of rows at a time (1024
    # rows of 64 doubles, 2048 of 64 floats) after sweeping them four at a
    # time: row counts within one step, across blocks, and with a tail of one
    # to three rows past the last step
    rng = np.random.RandomState(n)
    X = rng.randn(n, 64).astype(dtype)
    y = rng.randn(n)
    cols = np.array([0, 1, 31, 40, 63], dtype=np.int32)
    offset = rng.randn(64)
    *stats, out = _columns_fast.column_stats_gather(X, y, cols, offset)
    for got, want in zip(stats, _columns_fast.column_stats(X, y), strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(
        out, (X.astype(np.float64)[:, cols] - offset[cols]).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_gather_dense(order, dtype):
    # any layout: C, F and (below) strided views; centred or not
    rng = np.random.RandomState(0)
    X = np.asarray(rng.randn(13, 9), dtype=dtype, order=order)
    mean = rng.randn(9).astype(dtype)
    cols = np.array([7, 0, 3, 3], dtype=np.int32)
    out = np.empty((13, 4), dtype=dtype, order="F")
    _columns_fast.gather_dense(X, cols, mean, out)
    np.testing.assert_array_equal(out, X[:, cols] - mean[cols])
    strided = np.asarray(rng.randn(13, 18), dtype=dtype, order=order)[:, ::2]
    _columns_fast.gather_dense(strided, cols, None, out)
    np.testing.assert_array_equal(out, strided[:, cols])
    # long rows: blocks of 8 (float64) or 13 (float32) rows, the last one partial
    wide = np.asarray(rng.randn(29, 5000), dtype=dtype, order=order)
    cols = np.array([4999, 0, 2500, 17], dtype=np.int32)
    out = np.empty((29, 4), dtype=dtype, order="F")
    _columns_fast.gather_dense(wide, cols, None, out)
    np.testing.assert_array_equal(out, wide[:, cols])
    _columns_fast.gather_dense(wide[::-1], cols, None, out)  # negative row stride
    np.testing.assert_array_equal(out, wide[::-1][:, cols])
    _columns_fast.gather_dense(wide[:, ::-1], cols, None, out)  # ... and column
    np.testing.assert_array_equal(out, wide[:, ::-1][:, cols])
    # nothing to gather: no rows, or no columns
    _columns_fast.gather_dense(wide[:0], cols, None, out[:0])
    _columns_fast.gather_dense(wide, cols[:0], None, out[:, :0])
    out = np.empty((13, 4), dtype=dtype, order="F")
    cols = np.array([7, 0, 3, 3], dtype=np.int32)
    with pytest.raises(ValueError, match="out of range"):
        _columns_fast.gather_dense(X, np.array([9], dtype=np.int32), mean, out[:, :1])
    with pytest.raises(ValueError, match="out does not match"):
        _columns_fast.gather_dense(X, cols, mean, out[:, :3])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 3, 4, 7, 70, 1030])
def test_gather_dense_runs_of_adjacent_columns(dtype, n):
    # runs of four adjacent columns are transposed four rows at a time: runs
    # of 4, 5 and 8 starting anywhere, three adjacent, a run broken in its
    # last place, one at the end; rows in blocks (1030 x 300: 109 / 218 rows)
    # with remainders; a column stride of 2 takes the plain loop
    rng = np.random.RandomState(n)
    X = np.asarray(rng.randn(n, 300), dtype=dtype)
    mean = rng.randn(300).astype(dtype)
    cols = np.array([1, 2, 3, 4, 9, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 34,
                     7, 100, 101, 102, 103, 104, 105, 106, 107, 296, 297, 298,
                     299], dtype=np.int32)
    for Z in (X, np.asfortranarray(X), np.asarray(rng.randn(n, 600),
                                                  dtype=dtype)[:, ::2]):
        out = column_buffer(n, cols.size, dtype)
        _columns_fast.gather_dense(Z, cols, mean, out)
        np.testing.assert_array_equal(out, Z[:, cols] - mean[cols])
    every = np.arange(300, dtype=np.int32)
    out = column_buffer(n, 300, dtype)
    _columns_fast.gather_dense(X, every, mean, out)
    np.testing.assert_array_equal(out, X - mean)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 5, 8, 511, 512, 513, 1100])
@pytest.mark.parametrize("k, m", [(1, 1), (3, 6), (4, 4), (9, 5)])
def test_cross_products(dtype, n, k, m):
    # sizes straddle the vector width (8 / 16), the tile (4) and the row block
    # (512); out is a block of a larger matrix, whose other entries stay put
    rng = np.random.RandomState(n + k)
    A = np.asfortranarray(rng.randn(n, k).astype(dtype))
    B = np.asfortranarray(rng.randn(n, m).astype(dtype))
    big = np.full((k + 2, m + 3), -7.0, dtype=dtype)
    _columns_fast.cross_products(A, B, big[1:k + 1, 2:m + 2])
    ref = A.astype(np.float64).T @ B.astype(np.float64)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(big[1:k + 1, 2:m + 2], ref, rtol=tol,
                               atol=tol * max(n, 1))
    big[1:k + 1, 2:m + 2] = -7.0
    assert np.all(big == -7.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, k", [(7, 1), (600, 6), (1030, 13)])
def test_cross_products_of_a_block_with_itself(dtype, n, k):
    # only the tiles on and above the diagonal are computed, then mirrored
    A = np.asfortranarray(np.random.RandomState(k).randn(n, k).astype(dtype))
    out = np.full((k, k), np.nan, dtype=dtype)
    _columns_fast.cross_products(A, A, out)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, A.astype(np.float64).T @ A, rtol=tol,
                               atol=tol * n)
    np.testing.assert_array_equal(out, out.T)


def test_cross_products_rejects_mismatched_shapes():
    A = np.asfortranarray(np.ones((10, 3)))
    with pytest.raises(ValueError, match="shapes"):
        _columns_fast.cross_products(A, np.asfortranarray(np.ones((9, 2))),
                                     np.empty((3, 2)))
    with pytest.raises(ValueError, match="shapes"):
        _columns_fast.cross_products(A, A, np.empty((3, 2)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gather_and_products_on_padded_columns(dtype):
    # the solver's column buffers are the first rows of line-padded columns
    rng = np.random.RandomState(0)
    X = rng.randn(150, 12).astype(dtype)
    cols = np.array([3, 0, 11, 5, 7], dtype=np.int32)
    mean = X.mean(axis=0)
    out = column_buffer(150, cols.size, dtype)
    _columns_fast.gather_dense(X, cols, mean, out)
    np.testing.assert_array_equal(out, X[:, cols] - mean[cols])
    Q = np.empty((cols.size, cols.size), dtype=dtype)
    _columns_fast.cross_products(out, out, Q)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(Q, np.asarray(out, dtype=float).T @ out, rtol=tol,
                               atol=tol * 150)
    rows = np.ascontiguousarray(out)  # strided rows are refused
    with pytest.raises(ValueError, match="contiguous columns"):
        _columns_fast.cross_products(rows, out, Q)
    with pytest.raises(ValueError, match="contiguous columns"):
        _columns_fast.gather_dense(X, cols, mean, np.empty((150, cols.size),
                                                           dtype=dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0, 5), (7, 0), (1, 1), (9, 8), (130, 37)])
def test_rows_dot(dtype, shape):
    rng = np.random.RandomState(shape[0])
    X = (rng.randn(*shape) * 3 + 100).astype(dtype)
    r = rng.randn(shape[0]).astype(dtype)
    got = _columns_fast.rows_dot(X, r)
    assert got.dtype == dtype and got.shape == (shape[1],)
    want = X.astype(np.float64).T @ r.astype(np.float64)
    # summed in float64: to float64 rounding of the terms, then X's dtype
    bound = np.finfo(dtype).eps * np.abs(want) + 1e-13 * (np.abs(X).T @ np.abs(r))
    assert np.all(np.abs(got - want) <= bound)
    with pytest.raises(ValueError, match="rows"):
        _columns_fast.rows_dot(X, np.ones(shape[0] + 1))


def test_xt_dot_picks_rows_dot_only_where_it_pays(monkeypatch):
    calls = []
    rows_dot = _columns_fast.rows_dot
    monkeypatch.setattr(_columns_fast, "rows_dot",
                        lambda X, r: calls.append(X.shape) or rows_dot(X, r))
    monkeypatch.setattr(_columns_fast, "ROWS_DOT_MIN_BYTES", 8 * 40 * 30)
    rng = np.random.RandomState(0)
    X = rng.randn(40, 30)
    r = rng.randn(40)
    for A in (X, np.asfortranarray(X), X[:, :20], X.astype(np.float32),
              rng.randn(40, _columns_fast.ROWS_DOT_MAX_FEATURES + 1)):
        got = _columns_fast.xt_dot(A, r.astype(A.dtype))
        np.testing.assert_allclose(got, A.T @ r.astype(A.dtype),
                                   rtol=1e-5 if A.dtype == np.float32 else 1e-12)
        assert got.dtype == A.dtype
    # C-ordered and large enough: X itself; F-ordered, smaller, or long rows: BLAS
    assert calls == [(40, 30)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fits_with_gradients_by_rows_reach_the_same_optimum(monkeypatch, dtype):
    # rounds on working sets, each with a gradient (not one on all features)
    monkeypatch.setattr(_cd_solver, "START_ALL_SHARE", 2.0)
    rng = np.random.RandomState(0)
    X = (rng.randn(3000, 90) + 10 * rng.rand(90)).astype(dtype)  # means off 0
    y = (X[:, :5] @ rng.randn(5) + rng.randn(3000)).astype(dtype)
    calls = []
    rows_dot = _columns_fast.rows_dot
    monkeypatch.setattr(_columns_fast, "rows_dot",
                        lambda X, r: calls.append(1) or rows_dot(X, r))
    fits = []
    tol = 1e-5 if dtype == np.float32 else 1e-10
    for min_bytes in (0, np.inf):  # every X by rows, then none
        monkeypatch.setattr(_columns_fast, "ROWS_DOT_MIN_BYTES", min_bytes)
        fits.append(LassoRegressor(alpha=0.01, tol=tol).fit(X, y))
        assert bool(calls) == (min_bytes == 0)
        calls.clear()
    rtol = 1e-3 if dtype == np.float32 else 1e-8
    np.testing.assert_allclose(fits[0].coef_, fits[1].coef_, rtol=rtol,
                               atol=rtol * np.abs(fits[1].coef_).max())
    yc = y.astype(np.float64) - y.mean(dtype=np.float64)
    assert fits[0].dual_gap_ <= tol * (yc @ yc) / len(y)  # converged


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [0, 1, 7, 8, 15, 16, 17, 40])
def test_rows_residual_dot(p, dtype):
    # r = y - (X - mean) @ w is written, then X.T @ r from the r stored; row
    # lengths around the kernel's steps of 8 and 16
    rng = np.random.RandomState(p)
    n = 37
    X = (rng.randn(n, p) * 2 + 5).astype(dtype)
    y = rng.randn(n).astype(dtype)
    mean = X.astype(np.float64).mean(0)
    w = rng.randn(p) * (rng.rand(p) < 0.6)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for m in (mean, None):
        r = np.full(n, np.nan, dtype=dtype)
        g = _columns_fast.rows_residual_dot(X, y, m, w, r)
        X64 = X.astype(np.float64) - (0 if m is None else m)
        want = y - X64 @ w
        np.testing.assert_allclose(r, want, rtol=rtol,
                                   atol=rtol * (np.abs(X64) @ np.abs(w) + 1).max())
        assert g.dtype == dtype
        scale = np.abs(X).sum(0).max(initial=1)
        np.testing.assert_allclose(g, X.astype(np.float64).T @ r.astype(np.float64),
                                   rtol=rtol, atol=rtol * scale)
    with pytest.raises(ValueError, match="do not match"):
        _columns_fast.rows_residual_dot(X, y[:-1], None, w, np.empty(n, dtype))
    with pytest.raises(ValueError, match="do not match"):
        _columns_fast.rows_residual_dot(X, y, None, np.ones(p + 1), np.empty(n, dtype))
