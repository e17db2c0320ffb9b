# cython: language_level=3
"""Coordinate-descent kernels for the elastic net, in float32 and float64.

Each kernel minimises, over the coordinates listed in ``ws`` (the others stay
fixed), the elastic net scaled by ``n_samples``::

    P(w) = 1/2 ||y - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2      (w >= 0 if positive)

It runs up to ``max_epochs`` passes over ``ws`` and stops as soon as the duality
gap of that restricted problem is at most ``gap_tol``. With ``gap_every > 0`` the
gap is checked every ``gap_every`` passes, when the largest coordinate change of
a pass is at most ``dw_tol`` times the largest coefficient, and after the last
pass; with ``gap_every == 0`` it is never checked (the caller does it, e.g. after
extrapolating). After pass ``e``, ``w[ws]`` is copied to ``snapshots[e]`` when
``snapshots`` has rows. Each kernel returns ``(gap, n_epochs)``, ``gap`` being
infinite when it was not checked. ``gap_dense``, ``gap_sparse`` and ``gap_gram``
compute the same restricted gap on demand.

Two dual points are scored and the better one kept, so the gap stays valid and
tight for every l1, l2 >= 0 with l1 + l2 > 0:

* the residual itself, when l2 > 0 (the Fenchel dual of the elastic net has no
  constraint then, so the gap closes even at l1 = 0, where the rescaled point
  below degenerates to zero);
* the residual of the lasso on the augmented data [X; sqrt(l2) I] rescaled
  into the dual feasible set, when l1 > 0.
"""

import numpy as np

from cython cimport floating
from libc.math cimport fabs, sqrt, INFINITY, NAN
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset
from scipy.linalg.cython_blas cimport daxpy, ddot, saxpy, sdot


cdef extern from "_vector_ops.h" nogil:
    unsigned int skreg_rand(unsigned int* state)  # xorshift32, as the dense pass
    void skreg_dpass(int n, long ld, const double* X, double* r, double* w,
                     const double* norms2, double l1, double l2, int positive,
                     const int* ws, int n_ws, int random, unsigned int* state,
                     double* dw_max, double* w_max, double* pair)
    void skreg_spass(int n, long ld, const float* X, float* r, float* w,
                     const float* norms2, float l1, float l2, int positive,
                     const int* ws, int n_ws, int random, unsigned int* state,
                     float* dw_max, float* w_max, float* pair)
    long skreg_pass_cache_items(int n, int size, int n_ws)
    int skreg_pass_kind(int n, int size, int n_ws)


cdef extern from "_cache_sizes.h" nogil:
    long skreg_cache_bytes(int level)


cdef extern from "_register_pass.h" nogil:
    int skreg_regpass_rows(int size)
    int skreg_regpass_off


def register_pass_rows(dtype):
    """Longest column (rows) the dense pass keeps in registers on this CPU.

    0 when the CPU or the compiler has no AVX-512 (see ``_register_pass.h``).
    """
    return skreg_regpass_rows(np.dtype(dtype).itemsize)


def _use_register_pass(on):
    """Switch the register pass off (what CPUs without AVX-512 run) or back
    on, for tests; returns whether it was on. Not thread-safe."""
    global skreg_regpass_off
    was_on = not skreg_regpass_off
    skreg_regpass_off = not on
    return was_on


def dense_pass_kernel(n, dtype, n_ws):
    """Kernel of a dense pass over ``n_ws`` columns of ``n`` rows: "register",
    "pairs", "single" or "streaming pairs" (see ``_vector_ops.h``)."""
    kind = skreg_pass_kind(n, np.dtype(dtype).itemsize, n_ws)
    return ("register", "pairs", "single", "streaming pairs")[kind]


cdef int _run_rows(int n, long ld, int n_ws, bint zero_padded,
                   int size) noexcept nogil:
    """Rows a dense pass over columns of items of ``size`` bytes runs over: n,
    or n up to whole cache lines when they are padded with zeros (see
    ``cd_dense``)."""
    cdef int per_line = 64 // size
    cdef int n_run = (n + per_line - 1) // per_line * per_line
    if zero_padded and ld >= n_run and n_ws > 0:
        return n_run
    return n


def dense_cross_cache(const floating[:, :] X, int n_ws, bint zero_padded=False):
    """An empty cache of cross products for ``cd_dense`` on ``X`` over ``n_ws``
    columns in cyclic order: NaN (not yet known) everywhere, and as long as
    the pass that ``X``'s shape picks keeps (0 if it keeps none).

    A caller that runs several ``cd_dense`` calls on the same columns in the
    same order passes it to each, so that only the first pass of the first
    call computes the cross products.
    """
    cdef int n_run = _run_rows(X.shape[0], _column_stride(X), n_ws, zero_padded,
                               sizeof(floating))
    return np.full(skreg_pass_cache_items(n_run, sizeof(floating), n_ws), np.nan,
                   dtype=np.float32 if floating is float else np.float64)


def data_cache_bytes(level):
    """Size of this core's level 1 data cache, of its L2 or of the L3 it
    shares (level 1, 2 or 3), as the dense pass sees them (32 KB, 1 MB and
    32 MB when the system does not say)."""
    if level not in (1, 2, 3):
        raise ValueError(f"level must be 1, 2 or 3, got {level!r}")
    return skreg_cache_bytes(level)


cdef inline void _dense_pass(int n, long ld, const floating* X, floating* R,
                             floating* w, const floating* norms2, floating l1,
                             floating l2, bint positive, const int* ws, int n_ws,
                             bint random, unsigned int* state, floating* dw_max,
                             floating* w_max, floating* pair) noexcept nogil:
    """One pass over ``ws`` (see ``_vector_ops.h``); X has n rows per column,
    columns ``ld`` items apart."""
    if floating is float:
        skreg_spass(n, ld, X, R, w, norms2, l1, l2, positive, ws, n_ws, random, state,
                    dw_max, w_max, pair)
    else:
        skreg_dpass(n, ld, X, R, w, norms2, l1, l2, positive, ws, n_ws, random, state,
                    dw_max, w_max, pair)


cdef inline floating _dot(int n, const floating* x, const floating* y) noexcept nogil:
    cdef int one = 1
    if floating is float:
        return sdot(&n, <float*> x, &one, <float*> y, &one)
    else:
        return ddot(&n, <double*> x, &one, <double*> y, &one)


cdef inline void _axpy(int n, floating a, const floating* x, floating* y) noexcept nogil:
    cdef int one = 1
    if floating is float:
        saxpy(&n, &a, <float*> x, &one, y, &one)
    else:
        daxpy(&n, &a, <double*> x, &one, y, &one)


cdef inline floating _coordinate_min(floating w_j, floating g_j, floating nrm2,
                                     floating l1, floating l2,
                                     bint positive) noexcept nogil:
    """Exact minimiser in coordinate j; ``g_j`` is x_j . residual."""
    cdef floating z
    if nrm2 == 0:
        return 0
    z = g_j + nrm2 * w_j
    if z > l1:
        return (z - l1) / (nrm2 + l2)
    if z < -l1 and not positive:
        return (z + l1) / (nrm2 + l2)
    return 0


cdef inline void _accumulate(floating g_j, floating w_j, floating l1, floating l2,
                             bint positive, floating* acc) noexcept nogil:
    """Add coordinate j to the gap sums.

    acc[0] = ||w||_1, acc[1] = ||w||^2, acc[2] = sum of squared excesses of the
    gradient over l1, acc[3] = dual norm of the augmented-lasso residual.
    """
    cdef floating e, a
    acc[0] += fabs(w_j)
    acc[1] += w_j * w_j
    e = g_j if positive else fabs(g_j)
    if e > l1:
        acc[2] += (e - l1) * (e - l1)
    a = g_j - l2 * w_j
    if not positive:
        a = fabs(a)
    if a > acc[3]:
        acc[3] = a


cdef inline floating _gap(floating r2, floating ry, floating* acc,
                          floating l1, floating l2) noexcept nogil:
    """Primal minus the best of the two dual values (see the module docstring)."""
    cdef floating primal = 0.5 * r2 + l1 * acc[0] + 0.5 * l2 * acc[1]
    cdef floating dual = -INFINITY
    cdef floating s, d2
    if l2 > 0:
        dual = ry - 0.5 * r2 - acc[2] / (2 * l2)
    if l1 > 0:
        s = 1 if acc[3] <= l1 else l1 / acc[3]
        d2 = s * ry - 0.5 * s * s * (r2 + l2 * acc[1])
        if d2 > dual:
            dual = d2
    return primal - dual


cdef inline void _track(floating d, floating w_new, floating* dw_max,
                        floating* w_max) noexcept nogil:
    """Largest coordinate change and largest coefficient of a pass."""
    if fabs(d) > dw_max[0]:
        dw_max[0] = fabs(d)
    if fabs(w_new) > w_max[0]:
        w_max[0] = fabs(w_new)


cdef inline bint _check_now(int epoch, int max_epochs, floating dw_max,
                            floating w_max, floating dw_tol,
                            int gap_every) noexcept nogil:
    if gap_every <= 0:
        return False
    return (epoch == max_epochs - 1 or (epoch + 1) % gap_every == 0
            or dw_max <= dw_tol * w_max)


cdef inline void _snapshot(floating[:, ::1] snapshots, int epoch,
                           const floating[::1] w, const int[::1] ws) noexcept nogil:
    cdef int k
    if epoch < snapshots.shape[0]:
        for k in range(ws.shape[0]):
            snapshots[epoch, k] = w[ws[k]]


cdef long _column_stride(const floating[:, :] X) except -1:
    """Items between columns of X, whose columns must be contiguous."""
    cdef long size = sizeof(floating)
    if X.shape[0] > 1 and X.strides[0] != size:
        raise ValueError("X must have contiguous columns (F-ordered).")
    if X.shape[1] > 1 and (X.strides[1] % size or X.strides[1] < X.shape[0] * size):
        raise ValueError("X's columns must not overlap or be misaligned.")
    return max(1, X.strides[1] // size)


cdef floating _gap_dense(const floating[:, :] X, const floating[::1] y,
                         const floating[::1] w, const floating[::1] R,
                         const int[::1] ws, floating l1, floating l2,
                         bint positive) noexcept nogil:
    cdef int n = X.shape[0]
    cdef int k, j
    cdef floating acc[4]
    acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0
    for k in range(ws.shape[0]):
        j = ws[k]
        _accumulate(_dot(n, &X[0, j], &R[0]), w[j], l1, l2, positive, acc)
    return _gap(_dot(n, &R[0], &R[0]), _dot(n, &R[0], &y[0]), acc, l1, l2)


def cd_dense(const floating[:, :] X, const floating[::1] y, floating[::1] w,
             floating[::1] R, const floating[::1] norms2, floating l1, floating l2,
             const int[::1] ws, bint positive, int max_epochs, floating gap_tol,
             floating dw_tol, bint random, unsigned int seed, int gap_every,
             floating[:, ::1] snapshots, bint zero_padded=False,
             floating[::1] cross=None):
    """Coordinate descent on dense, centred ``X`` with contiguous columns
    (F-ordered, or the first rows of a taller F-ordered array).

    ``R`` must hold ``y - X w`` and is kept up to date. With ``zero_padded``
    the caller promises that each column's rows up to its next 64-byte
    boundary exist and hold zeros (``_cd_problems.column_buffer``): the passes
    then run over whole vectors, on a copy of ``R`` padded with zeros, with no
    scalar tail on the chain of dependent steps.

    ``cross``: the cache of cross products of a cyclic order, from
    ``dense_cross_cache`` for the same ``X``, ``ws`` and ``zero_padded``, kept
    by the caller from call to call (random order leaves it alone). Without
    it a call of several passes keeps one of its own.
    """
    cdef long ld = _column_stride(X)
    cdef int n = X.shape[0]
    cdef int n_ws = ws.shape[0]
    cdef int epoch = 0
    cdef floating dw_max, w_max, gap = INFINITY
    cdef unsigned int state = seed if seed != 0 else 1
    cdef int n_run = _run_rows(n, ld, n_ws, zero_padded, sizeof(floating))
    cdef long items = skreg_pass_cache_items(n_run, sizeof(floating), n_ws)
    # cross products of the columns a cyclic order takes together, filled by
    # the first pass that needs them (see _register_pass.h, _pair_pass.h);
    # NaN = not yet known
    cdef floating* pair = NULL
    cdef floating* own = NULL
    # the residual the passes update: R itself, or its padded copy, which
    # also starts on a cache line (numpy's small arrays need not)
    cdef floating* r = &R[0] if n else NULL
    cdef void* block = NULL  # scratch's allocation (malloc: portable)
    cdef floating* scratch = NULL
    cdef long k
    if cross is not None and cross.shape[0] != items:
        raise ValueError(f"cross holds {cross.shape[0]} values; a pass over these "
                         f"columns keeps {items} (see dense_cross_cache)")
    if n_run != n:
        block = malloc(n_run * sizeof(floating) + 64)
        if block == NULL:
            raise MemoryError()
        scratch = <floating*>(<char*>block + (-<size_t>block) % 64)
        memcpy(scratch, r, n * sizeof(floating))
        memset(scratch + n, 0, (n_run - n) * sizeof(floating))
        r = scratch
    if n_ws == 0:
        max_epochs = min(max_epochs, 1)
    elif random or items == 0:
        pass
    elif cross is not None:
        pair = &cross[0]
    elif max_epochs > 1:
        own = <floating*> malloc(items * sizeof(floating))
        if own == NULL:
            free(block)
            raise MemoryError()
        for k in range(items):
            own[k] = NAN
        pair = own
    try:
        with nogil:
            for epoch in range(max_epochs):
                dw_max = 0
                w_max = 0
                if n_ws == 0:
                    break
                _dense_pass(n_run, ld, &X[0, 0], r, &w[0], &norms2[0], l1, l2,
                            positive, &ws[0], n_ws, random, &state, &dw_max, &w_max,
                            pair)
                _snapshot(snapshots, epoch, w, ws)
                if _check_now(epoch, max_epochs, dw_max, w_max, dw_tol, gap_every):
                    if scratch != NULL:
                        memcpy(&R[0], scratch, n * sizeof(floating))
                    gap = _gap_dense(X, y, w, R, ws, l1, l2, positive)
                    if gap <= gap_tol:
                        break
    finally:
        if scratch != NULL:
            memcpy(&R[0], scratch, n * sizeof(floating))
        free(block)
        free(own)
    return gap, epoch + 1


cdef floating _gap_sparse(const floating[::1] X_data, const int[::1] X_indices,
                          const int[::1] X_indptr, const floating[::1] X_mean,
                          const floating[::1] v, floating n_w, floating c,
                          const floating[::1] y, const floating[::1] w,
                          const floating[::1] Rt, const int[::1] ws, floating l1,
                          floating l2, bint positive) noexcept nogil:
    cdef int n = y.shape[0]
    cdef int i, k, j, p
    cdef floating r_i, r2 = 0, ry = 0, g
    cdef floating acc[4]
    acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0
    for i in range(n):
        r_i = Rt[i] + c * v[i]
        r2 += r_i * r_i
        ry += r_i * y[i]
    for k in range(ws.shape[0]):
        j = ws[k]
        g = c * n_w * X_mean[j]
        for p in range(X_indptr[j], X_indptr[j + 1]):
            g += X_data[p] * Rt[X_indices[p]]
        _accumulate(g, w[j], l1, l2, positive, acc)
    return _gap(r2, ry, acc, l1, l2)


def cd_sparse(const floating[::1] X_data, const int[::1] X_indices,
              const int[::1] X_indptr, const floating[::1] X_mean,
              const floating[::1] v, const floating[::1] y, floating[::1] w,
              floating[::1] R, const floating[::1] norms2, floating l1,
              floating l2, const int[::1] ws, bint positive, int max_epochs,
              floating gap_tol, floating dw_tol, bint random, unsigned int seed,
              int gap_every, floating[:, ::1] snapshots):
    """Coordinate descent on CSC ``X`` whose column j is centred implicitly.

    The centred column is ``X[:, j] - X_mean[j] * v`` with ``v`` the row scale
    (``sqrt`` of the sample weights, normalised so that ``v @ v`` is the weighted
    sample count). Writing the residual as ``Rt + c v`` with ``c = X_mean . w``,
    an update touches only the stored entries of its column: ``v`` is orthogonal
    to every centred column and to the centred ``y``, so ``x_j . R`` reduces to
    ``X[:, j] . Rt + c (v @ v) X_mean[j]``. ``R`` must hold the true residual
    ``y - X_centred w`` on entry and holds it again on exit.
    """
    cdef int n = y.shape[0]
    cdef int n_ws = ws.shape[0]
    cdef int epoch = 0, k, j, p, i
    cdef floating w_j, w_new, d, dw_max, w_max, g, gap = INFINITY
    cdef floating c = 0, n_w = 0
    cdef unsigned int state = seed if seed != 0 else 1
    cdef bint centred = False
    with nogil:
        for j in range(X_mean.shape[0]):
            if X_mean[j] != 0:
                centred = True
            c += X_mean[j] * w[j]
        if centred:
            for i in range(n):
                n_w += v[i] * v[i]
                R[i] -= c * v[i]
        for epoch in range(max_epochs):
            dw_max = 0
            w_max = 0
            for k in range(n_ws):
                j = ws[skreg_rand(&state) % n_ws] if random else ws[k]
                w_j = w[j]
                g = c * n_w * X_mean[j]
                for p in range(X_indptr[j], X_indptr[j + 1]):
                    g += X_data[p] * R[X_indices[p]]
                w_new = _coordinate_min(w_j, g, norms2[j], l1, l2, positive)
                d = w_new - w_j
                if d != 0:
                    for p in range(X_indptr[j], X_indptr[j + 1]):
                        R[X_indices[p]] -= d * X_data[p]
                    c += d * X_mean[j]
                    w[j] = w_new
                _track(d, w_new, &dw_max, &w_max)
            _snapshot(snapshots, epoch, w, ws)
            if _check_now(epoch, max_epochs, dw_max, w_max, dw_tol, gap_every):
                gap = _gap_sparse(X_data, X_indices, X_indptr, X_mean, v, n_w, c,
                                  y, w, R, ws, l1, l2, positive)
                if gap <= gap_tol:
                    break
        if centred:
            for i in range(n):
                R[i] += c * v[i]
    return gap, epoch + 1


cdef floating _gap_gram(const floating[:, ::1] Q, const floating[::1] q,
                        floating yy, const floating[::1] w, const floating[::1] H,
                        const int[::1] ws, floating l1, floating l2,
                        bint positive) noexcept nogil:
    cdef int p = q.shape[0]
    cdef int k, j
    cdef floating wq = _dot(p, &w[0], &q[0])
    cdef floating wH = _dot(p, &w[0], &H[0])
    cdef floating r2 = yy - 2 * wq + wH
    cdef floating acc[4]
    acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0
    if r2 < 0:  # cancellation near an exact fit
        r2 = 0
    for k in range(ws.shape[0]):
        j = ws[k]
        _accumulate(q[j] - H[j], w[j], l1, l2, positive, acc)
    return _gap(r2, yy - wq, acc, l1, l2)


def cd_gram(const floating[:, ::1] Q, const floating[::1] q, floating yy,
            floating[::1] w, floating[::1] H, floating l1, floating l2,
            const int[::1] ws, bint positive, int max_epochs, floating gap_tol,
            floating dw_tol, bint random, unsigned int seed, int gap_every,
            floating[:, ::1] snapshots):
    """Coordinate descent on the Gram matrix ``Q = X^T X`` and ``q = X^T y``.

    ``yy`` is ``y @ y``; ``H`` must hold ``Q w`` and is kept up to date, so the
    gradient is ``q - H`` and an update costs O(n_features), not O(n_samples).
    """
    cdef int p = q.shape[0]
    cdef int n_ws = ws.shape[0]
    cdef int epoch = 0, k, j
    cdef floating w_j, w_new, d, dw_max, w_max, gap = INFINITY
    cdef unsigned int state = seed if seed != 0 else 1
    with nogil:
        for epoch in range(max_epochs):
            dw_max = 0
            w_max = 0
            for k in range(n_ws):
                j = ws[skreg_rand(&state) % n_ws] if random else ws[k]
                w_j = w[j]
                w_new = _coordinate_min(w_j, q[j] - H[j], Q[j, j], l1, l2, positive)
                d = w_new - w_j
                if d != 0:
                    _axpy(p, d, &Q[j, 0], &H[0])
                    w[j] = w_new
                _track(d, w_new, &dw_max, &w_max)
            _snapshot(snapshots, epoch, w, ws)
            if _check_now(epoch, max_epochs, dw_max, w_max, dw_tol, gap_every):
                gap = _gap_gram(Q, q, yy, w, H, ws, l1, l2, positive)
                if gap <= gap_tol:
                    break
    return gap, epoch + 1


def gap_dense(const floating[:, :] X, const floating[::1] y,
              const floating[::1] w, const floating[::1] R, const int[::1] ws,
              floating l1, floating l2, bint positive):
    """Duality gap restricted to ``ws`` (``R`` holds ``y - X w``); X as for
    ``cd_dense``."""
    cdef floating gap
    _column_stride(X)
    with nogil:
        gap = _gap_dense(X, y, w, R, ws, l1, l2, positive)
    return gap


def gap_sparse(const floating[::1] X_data, const int[::1] X_indices,
               const int[::1] X_indptr, const floating[::1] X_mean,
               const floating[::1] v, const floating[::1] y,
               const floating[::1] w, const floating[::1] R, const int[::1] ws,
               floating l1, floating l2, bint positive):
    """Duality gap restricted to ``ws`` (``R`` holds the true residual)."""
    # The true residual is orthogonal to v, so with Rt = R and c = 0 the
    # implicit-centring terms vanish from _gap_sparse.
    cdef floating gap
    with nogil:
        gap = _gap_sparse(X_data, X_indices, X_indptr, X_mean, v, 0, 0, y, w, R,
                          ws, l1, l2, positive)
    return gap


def gap_gram(const floating[:, ::1] Q, const floating[::1] q, floating yy,
             const floating[::1] w, const floating[::1] H, const int[::1] ws,
             floating l1, floating l2, bint positive):
    """Duality gap restricted to ``ws`` (``H`` holds ``Q w``)."""
    cdef floating gap
    with nogil:
        gap = _gap_gram(Q, q, yy, w, H, ws, l1, l2, positive)
    return gap


def gap_from_gradient(const floating[::1] g, const floating[::1] w, floating r2,
                      floating ry, floating l1, floating l2, bint positive):
    """Gap from the gradient ``g = X^T R``, ``r2 = R.R`` and ``ry = R.y``.

    Returns ``(gap, gap_lasso, scale)``: the gap (best of both dual points),
    the gap at the rescaled augmented-lasso point alone, and its scale ``s``
    (the dual point is ``s [R; -sqrt(l2) w]``), which gap-safe screening uses.
    """
    cdef int j
    cdef floating s, primal
    cdef floating acc[4]
    acc[0] = 0; acc[1] = 0; acc[2] = 0; acc[3] = 0
    for j in range(g.shape[0]):
        _accumulate(g[j], w[j], l1, l2, positive, acc)
    primal = 0.5 * r2 + l1 * acc[0] + 0.5 * l2 * acc[1]
    s = 1 if acc[3] <= l1 else l1 / acc[3]
    return (_gap(r2, ry, acc, l1, l2),
            primal - (s * ry - 0.5 * s * s * (r2 + l2 * acc[1])), s)


def screen_and_score(const floating[::1] g, const floating[::1] w, floating s,
                     floating l1, floating l2, bint positive,
                     const floating[::1] norms_aug, floating gap_lasso,
                     unsigned char[::1] keep, floating[::1] score):
    """Gap-safe screening and working-set scores, in one pass over the features.

    At the augmented-lasso dual point ``s [R; -sqrt(l2) w]`` feature ``j`` has
    correlation ``a_j = s (g_j - l2 w_j)`` (its absolute value unless
    ``positive``). The dual optimum lies within ``sqrt(2 gap_lasso)`` of that
    point (the dual is 1-strongly concave), so a zero feature with ``a_j +
    sqrt(2 gap_lasso) norms_aug_j < l1`` is zero at every optimum: its ``keep``
    flag is cleared for good. ``score`` receives ``(l1 - a_j) / norms_aug_j``,
    the distance to the dual constraint (low = about to enter), ``-inf`` on the
    support and ``+inf`` for discarded features. Returns the number kept and
    the number of zero features violating their optimality condition
    (``|g_j| > l1``, or ``g_j > l1`` if ``positive``): few means the support
    is nearly complete.
    """
    cdef Py_ssize_t j, n_keep = 0, n_viol = 0, p = g.shape[0]
    cdef floating a, radius = sqrt(2 * gap_lasso) if gap_lasso > 0 else 0
    if not (w.shape[0] == norms_aug.shape[0] == keep.shape[0] == score.shape[0] == p):
        raise ValueError("screen_and_score: arrays of different lengths.")
    with nogil:
        for j in range(p):
            a = s * (g[j] - l2 * w[j])
            if not positive:
                a = fabs(a)
            if w[j] != 0:
                score[j] = -INFINITY
                keep[j] = 1
            elif keep[j] and a + radius * norms_aug[j] < l1:
                keep[j] = 0
            if keep[j] == 0:
                score[j] = INFINITY
            elif w[j] == 0:
                score[j] = (l1 - a) / (norms_aug[j] if norms_aug[j] > 0 else 1)
            n_keep += keep[j]
            if w[j] == 0 and (g[j] if positive else fabs(g[j])) > l1:
                n_viol += 1
    return n_keep, n_viol


cdef inline bint _before(double va, Py_ssize_t ia, double vb,
                         Py_ssize_t ib) noexcept nogil:
    """Whether score ``va`` at ``ia`` comes before ``vb`` at ``ib``: smaller
    first, NaN last, ties by index."""
    if va != va:
        return vb != vb and ia < ib
    if vb != vb:
        return True
    return va < vb or (va == vb and ia < ib)


cdef void _sift_down(const floating* v, Py_ssize_t* heap, Py_ssize_t k,
                     Py_ssize_t i) noexcept nogil:
    """Restore the max-heap (by ``_before``) of ``heap[:k]`` below ``i``."""
    cdef Py_ssize_t c, top = heap[i]
    while True:
        c = 2 * i + 1
        if c >= k:
            break
        if c + 1 < k and _before(v[heap[c]], heap[c], v[heap[c + 1]], heap[c + 1]):
            c += 1
        if not _before(v[top], top, v[heap[c]], heap[c]):
            break
        heap[i] = heap[c]
        i = c
    heap[i] = top


SMALLEST_HEAP_MAX = 1024  # larger k: np.argpartition (faster from ~2000)


def smallest(const floating[::1] score, Py_ssize_t k):
    """The indices of the ``k`` smallest scores, sorted; among equal scores
    the lower indices (for k up to ``SMALLEST_HEAP_MAX``; beyond, in
    ``np.argpartition``'s order), NaN last.

    One pass keeping a heap of the ``k`` best so far: most scores are rejected
    by one comparison with its top. ``np.sort(np.argpartition(...))`` took
    85-90 us on 10 000 scores (k = 100-272) and 510-530 us on 50 000, where
    this took 18-28 and 77 us; np.argpartition was 11-14% of wide and text
    fits, four to eight calls each. Heaps of 1000-1500 of 50 000 took 0.8x
    np.argpartition's time, of 2000 1.3x.
    """
    cdef Py_ssize_t j, p = score.shape[0]
    k = max(0, min(k, p))
    if k > SMALLEST_HEAP_MAX and k < p:
        return np.sort(np.argpartition(score, k - 1)[:k])
    heap_arr = np.arange(k, dtype=np.intp)
    cdef Py_ssize_t[::1] heap = heap_arr
    if k == 0 or k == p:
        return heap_arr
    cdef const floating* v = &score[0]
    with nogil:
        for j in range(k // 2 - 1, -1, -1):
            _sift_down(v, &heap[0], k, j)
        for j in range(k, p):
            if _before(v[j], j, v[heap[0]], heap[0]):
                heap[0] = j
                _sift_down(v, &heap[0], k, 0)
    heap_arr.sort()
    return heap_arr
