"""Each coordinate-descent kernel against a plain numpy version of one pass."""

import contextlib

import numpy as np
import pytest
import scipy.sparse as sp

from skreg.linear_model import _cd_fast
from skreg.linear_model._column_buffers import column_buffer

NO_SNAPSHOTS = {dt: np.empty((0, 0), dtype=dt) for dt in (np.float32, np.float64)}


def numpy_pass(X, y, w, l1, l2, positive):
    """One cyclic pass of exact coordinate minimisation, written plainly."""
    return numpy_passes(X, y, w, l1, range(X.shape[1]), l2, positive)


def numpy_gap(X, y, w, l1, l2, positive):
    """Elastic-net duality gap at the residual, from the textbook formulas."""
    r = y - X @ w
    g = X.T @ r
    primal = 0.5 * r @ r + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w
    duals = []
    excess = np.maximum((g if positive else np.abs(g)) - l1, 0)
    if l2 > 0:
        duals.append(r @ y - 0.5 * r @ r - excess @ excess / (2 * l2))
    if l1 > 0:
        a = g - l2 * w
        norm = (a if positive else np.abs(a)).max(initial=0)
        s = min(1.0, l1 / norm) if norm > 0 else 1.0
        duals.append(s * r @ y - 0.5 * s**2 * (r @ r + l2 * w @ w))
    return primal - max(duals)


def problem(dtype, n=40, p=12, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    X[rng.rand(n, p) < 0.5] = 0  # sparse-friendly
    X -= X.mean(axis=0)
    y = X[:, :3] @ np.array([2.0, -1.0, 0.5]) + 0.1 * rng.randn(n)
    y -= y.mean()
    w0 = rng.randn(p) * 0.1
    return X.astype(dtype), y.astype(dtype), w0.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1,l2", [(3.0, 0.0), (3.0, 2.0), (0.0, 2.0)])
@pytest.mark.parametrize("kind", ["dense", "sparse", "gram"])
def test_one_pass_matches_numpy(kind, l1, l2, positive, dtype):
    X, y, w0 = problem(dtype)
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    expected = numpy_pass(X.astype(float), y.astype(float), w0.astype(float), l1, l2,
                          positive)
    w = w0.copy()
    ws = np.arange(X.shape[1], dtype=np.int32)
    args = (l1, l2, ws, positive, 1, 0.0, 0.0, False, 1, 10, NO_SNAPSHOTS[dtype])
    if kind == "dense":
        R = y - X @ w
        gap, n_ep = _cd_fast.cd_dense(np.asfortranarray(X), y, w, R,
                                      (X * X).sum(0), *args)
        np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol)
    elif kind == "sparse":
        Xs = sp.csc_matrix(X)
        R = y - X @ w
        zeros = np.zeros(X.shape[1], dtype=dtype)
        ones = np.ones(X.shape[0], dtype=dtype)
        gap, n_ep = _cd_fast.cd_sparse(Xs.data, Xs.indices, Xs.indptr, zeros, ones, y,
                                       w, R, (X * X).sum(0), *args)
        np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol)
    else:
        Q = np.ascontiguousarray(X.T @ X)
        H = Q @ w
        gap, n_ep = _cd_fast.cd_gram(Q, X.T @ y, y @ y, w, H, *args)
        np.testing.assert_allclose(H, Q @ w, rtol=rtol, atol=rtol)
    assert n_ep == 1
    np.testing.assert_allclose(w, expected, rtol=rtol, atol=rtol)
    ref_gap = numpy_gap(X.astype(float), y.astype(float), w.astype(float), l1, l2,
                        positive)
    np.testing.assert_allclose(gap, ref_gap, rtol=10 * rtol, atol=10 * rtol)


def xorshift_order(seed, n_ws, count):
    """The coordinates a random-order pass visits (the kernels' xorshift32)."""
    state, order = seed, []
    for _ in range(count):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        order.append(state % n_ws)
    return order


def numpy_passes(X, y, w, l1, order, l2=0.0, positive=False):
    """Exact coordinate minimisation over ``order``, written plainly."""
    w = w.copy()
    for j in order:
        r = y - X @ w
        nrm2 = X[:, j] @ X[:, j]
        if nrm2 == 0:
            w[j] = 0.0
            continue
        z = X[:, j] @ r + nrm2 * w[j]
        if positive:
            w[j] = max(z - l1, 0) / (nrm2 + l2)
        else:
            w[j] = np.sign(z) * max(abs(z) - l1, 0) / (nrm2 + l2)
    return w


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 3, 4, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 5000])
@pytest.mark.parametrize("p", [1, 2, 6])
@pytest.mark.parametrize("random", [False, True])
def test_dense_passes_every_shape(n, p, random, dtype):
    # The dense pass's vector loops take eight vectors, then single vectors,
    # then scalars: lengths around each size reach every branch. Three passes
    # from a nonzero start, in cyclic order and in the kernels' random order
    # (which may repeat a coordinate back to back), against the plain version.
    rng = np.random.RandomState(n)
    X, y, w0 = (rng.randn(n, p).astype(dtype), rng.randn(n).astype(dtype),
                0.1 * rng.randn(p).astype(dtype))
    ws = np.arange(p, dtype=np.int32)
    w, R = w0.copy(), y - X @ w0
    rtol = 2e-3 if dtype == np.float32 else 1e-9
    _cd_fast.cd_dense(np.asfortranarray(X), y, w, R, (X * X).sum(0), 0.01, 0.0, ws,
                      False, 3, 0.0, 0.0, random, 7, 0, NO_SNAPSHOTS[dtype])
    np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol)
    order = xorshift_order(7, p, 3 * p) if random else list(range(p)) * 3
    expected = numpy_passes(X.astype(float), y.astype(float), w0.astype(float),
                            0.01, order)
    np.testing.assert_allclose(w, expected, rtol=rtol, atol=rtol)
    assert np.any(w != w0)  # the passes moved coordinates: the updates ran


# Column lengths for each kernel of the dense pass: around each vector count
# of the register pass (8 float64 or 16 float32 rows per AVX-512 vector, up to
# 16 vectors; without AVX-512 the pair pass from 32 rows and the single pass
# below run these), the pair pass past them (odd lengths and partial vectors
# for its scalar tail), the single pass where only its working set fits in L1
# (1003 float64, 2003 float32 rows on a 32 KB L1) and past half the L2 cache.
# test_kernel_lengths_reach_every_kernel checks the cover. The lengths the
# register pass may take run again with it switched off, as on CPUs without
# AVX-512.
KERNEL_LENGTHS = {
    np.float64: [1, 7, 8, 9, 15, 16, 17, 57, 64, 100, 120, 127, 128, 129, 159,
                 160, 161, 200, 399, 400, 401, 512, 513, 1003, 2003, 40_000],
    np.float32: [1, 15, 16, 17, 100, 200, 255, 256, 257, 319, 320, 400, 1003,
                 1024, 1025, 2003, 3001, 70_000],
}


REGISTER_ROWS = 1024 // 4  # the most any dtype's register pass takes
KERNEL_CASES = [(dt, n, True) for dt, ns in KERNEL_LENGTHS.items() for n in ns] + [
    (dt, n, False) for dt, ns in KERNEL_LENGTHS.items() for n in ns
    if n <= REGISTER_ROWS]


@contextlib.contextmanager
def register_pass(on):
    was_on = _cd_fast._use_register_pass(on)
    try:
        yield
    finally:
        _cd_fast._use_register_pass(was_on)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_lengths_reach_every_kernel(dtype):
    kernels = {_cd_fast.dense_pass_kernel(n, dtype, 9) for n in KERNEL_LENGTHS[dtype]}
    expected = {"pairs", "single"}
    if _cd_fast.register_pass_rows(dtype):
        expected.add("register")
    assert kernels == expected
    assert max(_cd_fast.register_pass_rows(dtype), 1) <= REGISTER_ROWS
    with register_pass(False):
        assert _cd_fast.register_pass_rows(dtype) == 0
        short = {_cd_fast.dense_pass_kernel(n, dtype, 9)
                 for n in KERNEL_LENGTHS[dtype] if n <= REGISTER_ROWS}
    assert short == {"pairs", "single"}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_single_pass_where_only_its_columns_fit_in_l1(dtype):
    # Four columns' worth of rows: the pair pass's four columns and residual
    # overflow L1, the single pass's two and residual fit. Pairs again when
    # theirs fit, when the single pass's do not, or when the pass is too large
    # to stay in cache from one pass to the next (more than 8 MB).
    item, l1 = np.dtype(dtype).itemsize, _cd_fast.data_cache_bytes(1)
    n = l1 // (4 * item)
    if n < 256 or 5 * n * item > _cd_fast.data_cache_bytes(2) // 2:
        # four columns' worth of rows is then under 256 (an L1 under 8 KB) or
        # past half the L2 (an L2 under 2.5 L1s): no band to check
        pytest.skip("no L1-only band: L1 under 8 KB or L2 under 2.5 L1s")
    assert _cd_fast.dense_pass_kernel(n, dtype, 10) == "single"
    assert _cd_fast.dense_pass_kernel(n, dtype, (8 << 20) // (n * item) + 1) == "pairs"
    assert _cd_fast.dense_pass_kernel(2 * n, dtype, 10) == "pairs"
    assert _cd_fast.dense_pass_kernel(n // 2, dtype, 10) == "pairs"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairs_past_half_l2_only_where_x_streams_from_memory(dtype):
    # Five columns' worth of rows fill the L2: streaming pairs in a pass of at
    # least half the L3, the single pass in a smaller one, and the single pass
    # for columns whose five fill more than twice the L2. Columns whose five
    # fit in half the L2 keep the pair pass's L2 prefetch.
    item = np.dtype(dtype).itemsize
    l2, l3 = _cd_fast.data_cache_bytes(2), _cd_fast.data_cache_bytes(3)
    n = l2 // (5 * item)
    from_memory = -(-(l3 // 2) // (n * item))  # the fewest columns that fill l3 / 2
    assert _cd_fast.dense_pass_kernel(n, dtype, from_memory) == "streaming pairs"
    assert _cd_fast.dense_pass_kernel(n, dtype, from_memory - 1) == "single"
    assert _cd_fast.dense_pass_kernel(3 * n, dtype, from_memory) == "single"
    assert _cd_fast.dense_pass_kernel(n // 3, dtype, 3 * from_memory) == "pairs"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_streaming_pair_pass(dtype):
    # The pair pass as it runs on X that streams from memory (half the L3,
    # 16 MB here): two cyclic passes, the second on cached cross products,
    # against the plain version.
    item = np.dtype(dtype).itemsize
    l2, l3 = _cd_fast.data_cache_bytes(2), _cd_fast.data_cache_bytes(3)
    n = l2 // (5 * item)
    p = -(-(l3 // 2) // (n * item))
    if n * p * item > 1 << 28:
        pytest.skip("an L3 over 512 MB: X would take over 256 MB")
    assert _cd_fast.dense_pass_kernel(n, dtype, p) == "streaming pairs"
    rng = np.random.RandomState(0)
    X = column_buffer(n, p, dtype)
    X[:] = rng.randn(n, p)
    y = (X[:, :5] @ rng.randn(5) + rng.randn(n)).astype(dtype)
    norms2 = (X * X).sum(0, dtype=np.float64)
    l1 = 1e-3 * np.abs(X.T @ y).max()
    w, R = np.zeros(p, dtype), y.copy()
    _cd_fast.cd_dense(X, y, w, R, norms2.astype(dtype), l1, 0.0,
                      np.arange(p, dtype=np.int32), False, 2, 0.0, 0.0, False, 1, 0,
                      NO_SNAPSHOTS[dtype], True)
    expected = numpy_passes(X.astype(float), y.astype(float), np.zeros(p), l1,
                            list(range(p)) * 2)
    assert np.count_nonzero(expected) >= p // 2  # coordinates moved
    rtol = 2e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(w, expected, rtol=rtol, atol=rtol * np.abs(
        expected).max())
    np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol * np.abs(y).max())


def test_data_cache_bytes():
    l1, l2 = _cd_fast.data_cache_bytes(1), _cd_fast.data_cache_bytes(2)
    assert 0 < l1 < l2 and _cd_fast.data_cache_bytes(3) > 0
    with pytest.raises(ValueError, match="level must be 1, 2 or 3"):
        _cd_fast.data_cache_bytes(4)


@pytest.mark.parametrize("dtype,n,registers", KERNEL_CASES)
@pytest.mark.parametrize("random", [False, True])
@pytest.mark.parametrize("positive,l2", [(False, 0.0), (True, 0.0), (False, 5.0)])
@pytest.mark.parametrize("padded", [False, True])
def test_dense_pass_kernels(n, dtype, registers, random, positive, l2, padded):
    # Register pass: masked last vector, look-ahead correlation, cross
    # products cached across the passes of one call (so coordinates that start
    # moving only in a later pass use cached and fresh values). Pair pass: two
    # updates per sweep, g_e corrected by c's step (its cross product cached
    # after the first pass of a cyclic order), odd tails, pairs that draw one
    # coordinate twice (random order). Single pass: one update and one
    # correlation per sweep. From a start that is wrong on every third
    # coordinate, coordinates enter and leave the model from pass to pass; a
    # zero column must stay at zero.
    # Padded: the solver's layout, columns padded with zeros to whole lines,
    # which the kernels then run over whole vectors (zero_padded).
    rng = np.random.RandomState(n)
    p = 9
    X = rng.randn(n, p)
    X[:, 4] = 0.0
    X[:, 6] = X[:, 5] + 0.1 * X[:, 6]  # correlated neighbours: big cross terms
    y = X @ np.array([3.0, -2.0, 1.0, 0.0, 0.0, 1.5, -1.0, 0.0, 0.2])
    y += rng.randn(n)
    X, y = X.astype(dtype), y.astype(dtype)
    l1 = 0.05 * np.abs(X.T @ y).max()
    w0 = np.where(np.arange(p) % 3 == 2, 0.5, 0.0).astype(dtype)
    w, R = w0.copy(), y - X @ w0
    ws = np.arange(p, dtype=np.int32)
    if padded:
        A = column_buffer(n, p, dtype)
        A[:] = X
    else:
        A = np.asfortranarray(X)
    with register_pass(registers):
        _cd_fast.cd_dense(A, y, w, R, (X * X).sum(0), l1, l2, ws, positive, 6, 0.0,
                          0.0, random, 11, 0, NO_SNAPSHOTS[dtype], padded)
    order = xorshift_order(11, p, 6 * p) if random else list(range(p)) * 6
    expected = numpy_passes(X.astype(float), y.astype(float), w0.astype(float), l1,
                            order, l2, positive)
    rtol = 2e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(w, expected, rtol=rtol, atol=rtol * np.abs(
        expected).max())
    np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol * np.abs(y).max())
    assert w[4] == 0
    assert np.count_nonzero(w != w0) >= min(n, 2)  # coordinates moved


def cross_problem(n, dtype, p=11):
    # p = 11: two whole blocks of the block pass and a short one (3 columns);
    # column 2 repeats column 3 (their cross product is a squared norm)
    rng = np.random.RandomState(n)
    X = rng.randn(n, p)
    X[:, 6] = X[:, 5] + 0.1 * X[:, 6]
    X[:, 2] = X[:, 3]
    y = X[:, :4] @ np.array([3.0, -2.0, 1.0, 1.5]) + rng.randn(n)
    A = column_buffer(n, p, dtype)
    A[:] = X
    return A, X, y.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [100, 400])
def test_cross_products_kept_across_calls(n, dtype):
    # The solver keeps one cache per restricted problem: calls after the first
    # read the cross products the first pass computed (register pass at 100
    # rows where the CPU has AVX-512, pair pass at 400).
    A, X, y = cross_problem(n, dtype)
    p = X.shape[1]
    l1, ws = 0.05 * np.abs(X.T @ y).max(), np.arange(p, dtype=np.int32)
    cross = _cd_fast.dense_cross_cache(A, p, True)
    kind = _cd_fast.dense_pass_kernel(n + (-n) % (64 // A.itemsize), dtype, p)
    # (a CPU with a smaller L1 may take 400 rows to the single pass: no cache)
    sizes = {"register": 3 * 6, "pairs": 6, "streaming pairs": 6, "single": 0}
    assert cross.shape[0] == sizes[kind]
    w, R, norms2 = np.zeros(p, dtype), y.copy(), (A * A).sum(0)
    for _ in range(3):
        _cd_fast.cd_dense(A, y, w, R, norms2, l1, 0.0, ws, False, 2, 0.0, 0.0,
                          False, 1, 0, NO_SNAPSHOTS[dtype], True, cross)
    assert np.isfinite(cross).all()  # every block's, or every pair's
    expected = numpy_passes(X, y.astype(float), np.zeros(p), l1, list(range(p)) * 6)
    rtol = 2e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(w, expected, rtol=rtol, atol=rtol * np.abs(
        expected).max())
    np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol * np.abs(y).max())
    if cross.size == 0:
        return
    # a cache that lies is read as it is: the passes take it on trust
    w2, R2 = np.zeros(p, dtype), y.copy()
    _cd_fast.cd_dense(A, y, w2, R2, norms2, l1, 0.0, ws, False, 6, 0.0, 0.0, False,
                      1, 0, NO_SNAPSHOTS[dtype], True, np.full_like(cross, -n))
    assert not np.allclose(w2, expected, rtol=rtol, atol=rtol * np.abs(
        expected).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [100, 400])
def test_cyclic_order_may_repeat_coordinates(n, dtype):
    # ws may name a coordinate twice, back to back or two places apart, within
    # one block of the block pass (register pass) or one pair (pair pass)
    A, X, y = cross_problem(n, dtype)
    ws = np.array([0, 1, 1, 4, 5, 3, 5, 5, 6, 9, 0, 10, 10], dtype=np.int32)
    l1 = 0.05 * np.abs(X.T @ y).max()
    w, R, p = np.zeros(X.shape[1], dtype), y.copy(), X.shape[1]
    cross = _cd_fast.dense_cross_cache(A, ws.shape[0], True)
    for _ in range(2):
        _cd_fast.cd_dense(A, y, w, R, (A * A).sum(0), l1, 0.5, ws, False, 3, 0.0,
                          0.0, False, 1, 0, NO_SNAPSHOTS[dtype], True, cross)
    expected = numpy_passes(X, y.astype(float), np.zeros(p), l1, list(ws) * 6, 0.5)
    rtol = 2e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(w, expected, rtol=rtol, atol=rtol * np.abs(
        expected).max())
    np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol * np.abs(y).max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_cache_of_the_wrong_length_is_refused(dtype):
    A, X, y = cross_problem(100, dtype)
    p = X.shape[1]
    cross = _cd_fast.dense_cross_cache(A, p, True)
    w, R, ws = np.zeros(p, dtype), y.copy(), np.arange(p, dtype=np.int32)
    with pytest.raises(ValueError, match=f"cross holds {cross.shape[0] + 1} values"):
        _cd_fast.cd_dense(A, y, w, R, (A * A).sum(0), 1.0, 0.0, ws, False, 2, 0.0,
                          0.0, False, 1, 0, NO_SNAPSHOTS[dtype], True,
                          np.append(cross, np.nan).astype(dtype))
    np.testing.assert_array_equal(w, 0)  # refused before any pass


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_register_pass_reported(dtype):
    rows = _cd_fast.register_pass_rows(dtype)
    assert rows in (0, 64 * 16 // np.dtype(dtype).itemsize)


def test_sparse_kernel_centres_implicitly():
    """Column j is used as X_j - mean_j * v: compare with an explicitly centred run."""
    rng = np.random.RandomState(1)
    X = sp.random(50, 8, density=0.4, random_state=rng, format="csc")
    sw = rng.rand(50) + 0.5
    sw *= 50 / sw.sum()
    v = np.sqrt(sw)
    mean = sw @ X.toarray() / 50
    Xs = sp.csc_matrix(X.multiply(v[:, None]))
    Xc = Xs.toarray() - np.outer(v, mean)
    y = rng.randn(50)
    y = v * (y - sw @ y / 50)
    ws = np.arange(8, dtype=np.int32)
    args = (0.5, 0.1, ws, False, 3, 0.0, 0.0, False, 1, 10, NO_SNAPSHOTS[np.float64])
    w1 = np.zeros(8)
    R1 = y.copy()
    _cd_fast.cd_dense(np.asfortranarray(Xc), y, w1, R1, (Xc * Xc).sum(0), *args)
    w2 = np.zeros(8)
    R2 = y.copy()
    _cd_fast.cd_sparse(Xs.data, Xs.indices, Xs.indptr, mean, v, y, w2, R2,
                       (Xc * Xc).sum(0), *args)
    np.testing.assert_allclose(w2, w1, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(R2, R1, rtol=1e-10, atol=1e-12)


def test_stops_on_gap_and_reports_epochs():
    X, y, _ = problem(np.float64, n=100, p=20)
    ws = np.arange(20, dtype=np.int32)
    w = np.zeros(20)
    R = y.copy()
    gap_tol = 1e-10 * (y @ y)
    gap, n_ep = _cd_fast.cd_dense(np.asfortranarray(X), y, w, R, (X * X).sum(0), 1.0,
                                  0.5, ws, False, 10_000, gap_tol, 1e-4, False, 1, 10,
                                  NO_SNAPSHOTS[np.float64])
    assert 1 <= n_ep < 10_000
    assert gap <= gap_tol
    assert numpy_gap(X, y, w, 1.0, 0.5, False) <= 2 * gap_tol


def test_random_order_reaches_the_same_optimum():
    X, y, _ = problem(np.float64, n=80, p=15)
    ws = np.arange(15, dtype=np.int32)
    out = []
    for random in (False, True):
        w = np.zeros(15)
        R = y.copy()
        _cd_fast.cd_dense(np.asfortranarray(X), y, w, R, (X * X).sum(0), 2.0, 0.0, ws,
                          False, 100_000, 1e-14 * (y @ y), 1e-4, random, 12345, 10,
                          NO_SNAPSHOTS[np.float64])
        out.append(w)
    np.testing.assert_allclose(out[0], out[1], atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [7, 100, 150, 200, 513])
def test_dense_kernels_read_padded_columns(dtype, n):
    # the solver hands the kernels the first rows of line-padded columns
    # (column_buffer): the same passes and gap as on an F-ordered copy, read
    # as they are; run over whole vectors (zero_padded), the same up to
    # rounding, and the gap checked between passes sees the current residual
    X, y, w0 = problem(dtype, n=n, p=30, seed=n)
    padded = column_buffer(n, X.shape[1], dtype)
    padded[:] = X
    assert not padded.flags.f_contiguous or n * X.itemsize % 64 == 0
    ws = np.arange(X.shape[1], dtype=np.int32)
    out = []
    for A, zero_padded in ((np.asfortranarray(X), False), (padded, False),
                           (padded, True)):
        w, R = w0.copy(), y - X @ w0
        gap, _ = _cd_fast.cd_dense(A, y, w, R, (X * X).sum(0), 0.5, 0.1, ws, False,
                                   3, 0.0, 0.0, False, 1, 1, NO_SNAPSHOTS[dtype],
                                   zero_padded)
        out.append((w, R, gap, _cd_fast.gap_dense(A, y, w, R, ws, 0.5, 0.1, False)))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert out[0][2] == out[1][2] and out[0][3] == out[1][3]
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    w, R, gap, gap_after = out[2]
    np.testing.assert_allclose(w, out[0][0], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(R, y - X @ w, rtol=rtol, atol=rtol)
    expected = numpy_gap(X.astype(float), y.astype(float), w.astype(float), 0.5, 0.1,
                         False)
    np.testing.assert_allclose([gap, gap_after], expected, rtol=1e-3 if
                               dtype == np.float32 else 1e-7, atol=rtol)


def test_dense_kernels_reject_strided_rows():
    X, y, w = problem(np.float64)
    ws = np.arange(X.shape[1], dtype=np.int32)
    for bad in (np.ascontiguousarray(X), np.asfortranarray(X)[::2]):
        yb = y[:bad.shape[0]].copy()
        with pytest.raises(ValueError, match="contiguous columns"):
            _cd_fast.cd_dense(bad, yb, w.copy(), yb.copy(), (bad * bad).sum(0), 1.0,
                              0.0, ws, False, 1, 0.0, 0.0, False, 1, 0,
                              NO_SNAPSHOTS[np.float64])
        with pytest.raises(ValueError, match="contiguous columns"):
            _cd_fast.gap_dense(bad, yb, w, yb.copy(), ws, 1.0, 0.0, False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p, k", [(1, 1), (7, 0), (7, 3), (7, 7), (7, 9), (500, 10),
                                  (10_000, 272), (5000, 1024), (5000, 1025)])
def test_smallest_takes_the_k_smallest_scores(p, k, dtype):
    # the working set's features: scores with -inf (support), +inf (screened),
    # NaN, and many ties, against a stable sort (ties by index, NaN last)
    rng = np.random.RandomState(p + k)
    score = np.round(rng.randn(p) * 4) / 4
    score[rng.rand(p) < 0.2] = np.inf
    score[rng.rand(p) < 0.05] = -np.inf
    score[rng.rand(p) < 0.02] = np.nan
    score = score.astype(dtype)
    got = _cd_fast.smallest(score, k)
    assert got.dtype == np.intp
    want = np.sort(np.argsort(score, kind="stable")[:k])
    if k <= _cd_fast.SMALLEST_HEAP_MAX:
        np.testing.assert_array_equal(got, want)
    else:  # np.argpartition's ties: the same scores
        np.testing.assert_array_equal(np.sort(score[got]), np.sort(score[want]))
        assert np.all(np.diff(got) > 0)
