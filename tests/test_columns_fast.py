"""The CSC helpers of the solver against scipy, and non-canonical sparse input."""

import numpy as np
import pytest
import scipy.sparse as sp

from skreg import LassoRegressor
from skreg.linear_model import _columns_fast


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
