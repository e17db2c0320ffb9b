# cython: language_level=3
"""Column statistics of dense and CSC matrices; gathers and products of CSC parts;
``X.T @ r`` over the rows of tall C-ordered X.

numpy and scipy's equivalents make temporaries (a centred copy of X for its
column norms) or validate and allocate index arrays on every call; the solver
calls these once per fit or per working set, where that overhead would cost as
much as the coordinate-descent passes themselves.
"""

import numpy as np

from cython cimport floating, integral

from ._column_buffers import column_buffer


def column_sums(const floating[::1] data, const integral[::1] indptr, bint squared):
    """Per-column sums of the stored entries (of their squares if ``squared``),
    accumulated in float64."""
    cdef Py_ssize_t j, k, p = indptr.shape[0] - 1
    cdef double acc, x
    out = np.empty(p, dtype=np.float64)
    cdef double[::1] sums = out
    with nogil:
        for j in range(p):
            acc = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                x = data[k]
                acc += x * x if squared else x
            sums[j] = acc
    return out


def gather_columns(const floating[::1] data, const int[::1] indices,
                   const int[::1] indptr, const int[::1] cols):
    """The parts ``(data, indices, indptr)`` of the columns ``cols``, in order."""
    cdef Py_ssize_t i, j, k, start, n_cols = cols.shape[0], nnz = 0
    for i in range(n_cols):
        j = cols[i]
        nnz += indptr[j + 1] - indptr[j]
    dtype = np.float32 if floating is float else np.float64
    new_data = np.empty(nnz, dtype=dtype)
    new_indices = np.empty(nnz, dtype=np.int32)
    new_indptr = np.empty(n_cols + 1, dtype=np.int32)
    cdef floating[::1] d = new_data
    cdef int[::1] ind = new_indices
    cdef int[::1] ptr = new_indptr
    with nogil:
        ptr[0] = 0
        k = 0
        for i in range(n_cols):
            j = cols[i]
            for start in range(indptr[j], indptr[j + 1]):
                d[k] = data[start]
                ind[k] = indices[start]
                k += 1
            ptr[i + 1] = <int>k
    return new_data, new_indices, new_indptr


cdef Py_ssize_t GATHER_BLOCK = 1 << 18  # bytes of rows read per block: L2-resident


cdef extern from "_gather_rows.h" nogil:
    void skreg_dgather_rows(long n, const double* X, long sx0, long sx1,
                            const int* cols, long m, const double* mu,
                            double* out, long so, long rows)
    void skreg_sgather_rows(long n, const float* X, long sx0, long sx1,
                            const int* cols, long m, const float* mu,
                            float* out, long so, long rows)


def gather_dense(const floating[:, :] X, const int[::1] cols, mean,
                 floating[:, :] out):
    """``out[:, k] = X[:, cols[k]] - mean[cols[k]]`` for dense ``X`` in any memory
    layout (``mean=None``: no centring); ``out`` has contiguous columns, the
    dtype of X, and so has ``mean``.

    From C-ordered X, ``X[:, cols]`` reads the rows once but its F-ordered copy
    transposes a second time. This reads X once, by blocks of rows that stay in
    L2, and writes each column's part of a block contiguously: row by row, the
    writes went to as many pages as columns, and cost 2-6x more. Runs of four
    adjacent columns move a vector at a time (see ``_gather_rows.h``).
    """
    cdef Py_ssize_t i, k, j, n = X.shape[0], m = cols.shape[0]
    cdef const floating[::1] mu
    cdef bint by_rows = X.strides[1] <= X.strides[0]  # along X's own layout
    cdef Py_ssize_t rows = max(8, GATHER_BLOCK // max(1, abs(X.strides[0])))
    # element strides: the loops run on pointers. Indexing the memoryviews
    # recomputed both offsets per element: 200 of 500 columns of 2000 rows
    # took 0.52 ms instead of 0.28 ms.
    cdef Py_ssize_t sx0 = X.strides[0] // <Py_ssize_t>sizeof(floating)
    cdef Py_ssize_t sx1 = X.strides[1] // <Py_ssize_t>sizeof(floating)
    cdef Py_ssize_t so = out.strides[1] // <Py_ssize_t>sizeof(floating)
    cdef const floating* x
    cdef floating* o
    cdef floating c
    if out.shape[0] != n or out.shape[1] != m:
        raise ValueError("gather_dense: out does not match X and cols.")
    if n > 1 and m and out.strides[0] != sizeof(floating):
        raise ValueError("gather_dense: out must have contiguous columns.")
    if m and (np.min(cols) < 0 or np.max(cols) >= X.shape[1]):
        raise ValueError("gather_dense: a column index is out of range.")
    if mean is None:
        mean = np.zeros(X.shape[1],
                        dtype=np.float32 if floating is float else np.float64)
    mu = mean
    if mu.shape[0] != X.shape[1]:
        raise ValueError("gather_dense: mean does not match the columns.")
    if n == 0 or m == 0:
        return
    with nogil:
        if by_rows:  # (see _gather_rows.h)
            if floating is float:
                skreg_sgather_rows(n, &X[0, 0], sx0, sx1, &cols[0], m, &mu[0],
                                   &out[0, 0], so, rows)
            else:
                skreg_dgather_rows(n, &X[0, 0], sx0, sx1, &cols[0], m, &mu[0],
                                   &out[0, 0], so, rows)
        else:
            for k in range(m):
                j = cols[k]
                c = mu[j]
                x = &X[0, 0] + j * sx1
                o = &out[0, 0] + k * so
                for i in range(n):
                    o[i] = x[i * sx0] - c


def matvec(const floating[::1] data, const int[::1] indices, const int[::1] indptr,
           const floating[::1] w, Py_ssize_t n_rows):
    """``X @ w`` for the CSC matrix with these parts and ``n_rows`` rows."""
    cdef Py_ssize_t j, k, p = indptr.shape[0] - 1
    cdef floating wj
    dtype = np.float32 if floating is float else np.float64
    out = np.zeros(n_rows, dtype=dtype)
    cdef floating[::1] z = out
    if w.shape[0] != p:
        raise ValueError("matvec: w does not match the number of columns.")
    with nogil:
        for j in range(p):
            wj = w[j]
            if wj != 0:
                for k in range(indptr[j], indptr[j + 1]):
                    z[indices[k]] += wj * data[k]
    return out


cdef extern from "_stats_ops.h" nogil:
    void skreg_dshifted_sums(long n, long p, const double* X, const double* y,
                             double* s1, double* s2, double* g, const int* cols,
                             long m, const double* off, double* out, long ld)
    void skreg_sshifted_sums(long n, long p, const float* X, const double* y,
                             double* s1, double* s2, double* g, const int* cols,
                             long m, const double* off, float* out, long ld)


cdef extern from "_rows_dot.h" nogil:
    void skreg_drows_dot(long n, long p, const double* X, const double* r,
                         double* g)
    void skreg_srows_dot(long n, long p, const float* X, const double* r,
                         double* g)
    void skreg_drows_residual_dot(long n, long p, const double* X,
                                  const double* y, const double* mean,
                                  const double* w, double* r, double* g)
    void skreg_srows_residual_dot(long n, long p, const float* X,
                                  const float* y, const double* mean,
                                  const double* w, float* r, double* g)


cdef extern from "_cache_sizes.h" nogil:
    long skreg_cache_bytes(int level)


ROWS_DOT_MAX_FEATURES = 512  # longer rows: BLAS was as fast or faster
# smaller X stays in the L3 (measured on 32 MB), where BLAS is faster
ROWS_DOT_MIN_BYTES = skreg_cache_bytes(3)


def rows_dot_pays(X):
    """Whether :func:`xt_dot` runs one stream over the rows of ``X``: on
    C-ordered float X larger than the cache with short rows. On 50 000 x 378
    float64 it took 6.8 ms against BLAS's 9.4 (and 3.7 against 5.4 in
    float32), at 32 MB 0.5-0.9 of BLAS's time, in cache up to 2.5 times it."""
    return (X.dtype in (np.float32, np.float64) and X.flags.c_contiguous
            and X.shape[1] <= ROWS_DOT_MAX_FEATURES
            and X.nbytes >= ROWS_DOT_MIN_BYTES)


def xt_dot(X, r):
    """``X.T @ r`` for dense 2-D ``X``, in X's dtype: by :func:`rows_dot`
    where :func:`rows_dot_pays`, else by BLAS."""
    if rows_dot_pays(X):
        return rows_dot(X, r)
    return X.T @ r


def rows_dot(const floating[:, ::1] X, r):
    """``X.T @ r`` for C-ordered ``X``, summed in float64 one row after the
    other; returned in X's dtype. See :func:`xt_dot` for when it pays."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    cdef const double[::1] rv = np.ascontiguousarray(r, dtype=np.float64)
    if rv.shape[0] != n:
        raise ValueError("rows_dot: r does not match the rows of X.")
    out = np.empty(p) if n else np.zeros(p)  # the kernel zeroes it first
    cdef double[::1] g = out
    if n and p:
        with nogil:
            if floating is float:
                skreg_srows_dot(n, p, &X[0, 0], &rv[0], &g[0])
            else:
                skreg_drows_dot(n, p, &X[0, 0], &rv[0], &g[0])
    return out.astype(np.float32 if floating is float else np.float64, copy=False)


def rows_residual_dot(const floating[:, ::1] X, y, mean, w, floating[::1] r):
    """``X.T @ r`` as :func:`rows_dot`, where ``r = y - (X - mean) @ w`` is
    written first, row by row in the same pass (``mean``, ``w``: one per
    column, ``mean`` None for zeros). The product uses ``r`` as stored, in
    X's dtype; returned in X's dtype."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    dtype = np.float32 if floating is float else np.float64
    cdef const floating[::1] yv = np.ascontiguousarray(y, dtype=dtype)
    cdef const double[::1] wv = np.ascontiguousarray(w, dtype=np.float64)
    cdef const double[::1] mv = (np.zeros(p) if mean is None else
                                 np.ascontiguousarray(mean, dtype=np.float64))
    if yv.shape[0] != n or r.shape[0] != n or wv.shape[0] != p or mv.shape[0] != p:
        raise ValueError("rows_residual_dot: y, r, mean or w do not match X.")
    out = np.empty(p) if n else np.zeros(p)  # the kernel zeroes it first
    cdef double[::1] g = out
    if n and p:
        with nogil:
            if floating is float:
                skreg_srows_residual_dot(n, p, &X[0, 0], &yv[0], &mv[0], &wv[0],
                                         &r[0], &g[0])
            else:
                skreg_drows_residual_dot(n, p, &X[0, 0], &yv[0], &mv[0], &wv[0],
                                         &r[0], &g[0])
    elif n:  # no features: the residual is y
        np.asarray(r)[:] = yv
    return out.astype(dtype, copy=False)


def column_stats_gather(X, y, cols, offset):
    """:func:`column_stats` and, from the same pass, ``X[:, cols] - offset[cols]``
    in a ``column_buffer`` on plain pages (``offset``: float64, one per column).

    Returns ``(mean, sq, xty, columns)``. The columns come from the pass over
    C-ordered X, and are copied after the statistics from other X (whose
    columns copy at memory speed). Differences are taken in float64.
    """
    cols = np.asarray(cols, dtype=np.int32)
    offset = np.ascontiguousarray(offset, dtype=np.float64)
    if cols.ndim != 1 or offset.shape != (X.shape[1],):
        raise ValueError("column_stats_gather: cols or offset do not match X.")
    if cols.size and (cols.min() < 0 or cols.max() >= X.shape[1]):
        raise ValueError("column_stats_gather: a column index is out of range.")
    out = column_buffer(X.shape[0], cols.size, X.dtype, plain_pages=True)
    if X.flags.c_contiguous and not X.flags.f_contiguous:
        return _column_stats(X, y, (cols, offset, out)) + (out,)
    mean, sq, xty = _column_stats(X, y, None)
    if cols.size:  # in float64, then rounded, as in the pass
        np.subtract(X[:, cols], offset[cols], out=out, casting="same_kind")
    return mean, sq, xty, out


def column_stats(X, y=None):
    """Column means and centred squared norms of a C- or F-ordered dense ``X``,
    in float64, from one pass over memory; with ``y`` also ``X.T @ y``.

    Returns ``(mean, sq, xty)``, ``xty`` None without ``y``. F-ordered columns
    are summed, then centred while still in cache. C-ordered rows are summed
    shifted by the first row, ``d = x - x_0``, whose centred sum of squares is
    ``sum d^2 - (sum d)^2 / n``. Since x_0 is one of the rows, ``sum d^2`` is
    at most n + 1 times the result, so the difference loses at most
    log10(n + 1) digits (and the mean as many against the spread); columns
    where it lost more than four are redone in two passes. Non-finite entries
    make non-finite results (the caller checks).
    """
    return _column_stats(X, y, None)


def _column_stats(X, y, gather):
    """``gather``: None or ``(cols, offset, out)`` (C-ordered X only)."""
    cdef Py_ssize_t n = X.shape[0], p = X.shape[1]
    mean = np.zeros(p, dtype=np.float64)
    sq = np.zeros(p, dtype=np.float64)
    xty = None if y is None else np.zeros(p, dtype=np.float64)
    if y is not None:
        y = np.ascontiguousarray(y, dtype=np.float64)
        if y.shape != (n,):
            raise ValueError("column_stats: y does not match the rows of X.")
    if n == 0:
        return mean, sq, xty
    if X.flags.f_contiguous:
        _column_stats_f(X, y, mean, sq, xty)
        return mean, sq, xty
    if not X.flags.c_contiguous:
        raise ValueError("column_stats: X must be C- or F-contiguous.")
    s1 = np.zeros(p, dtype=np.float64)
    _shifted_sums_c(X, y, s1, sq, xty, gather)
    mean[:] = X[0]
    mean += s1 / n
    sq -= s1 * s1 / n
    with np.errstate(invalid="ignore"):
        redo = np.flatnonzero(~(sq * 1e4 >= (sq + s1 * s1 / n)))
    redo = redo[np.isfinite(mean[redo])]  # NaN or inf stay as they are
    if redo.size:  # the mean, x_0 + (sum d) / n, cancelled as much
        X_redo = np.ascontiguousarray(X[:, redo])
        mean[redo] = X_redo.sum(axis=0, dtype=np.float64) / n
        sq[redo] = centred_sq_norms(X_redo, mean[redo])
    return mean, sq, xty


def _column_stats_f(const floating[::1, :] X, y, double[::1] mean,
                    double[::1] sq, xty):
    cdef Py_ssize_t i, j, n = X.shape[0], p = X.shape[1]
    cdef double a0, a1, a2, a3, m
    cdef const double[::1] yv
    cdef double[::1] g
    cdef bint with_y = y is not None
    if with_y:
        yv = y
        g = xty
    with nogil:
        for j in range(p):
            # four running sums: one would wait on each addition's latency
            a0 = a1 = a2 = a3 = 0.0
            i = 0
            while i + 4 <= n:
                a0 += X[i, j]
                a1 += X[i + 1, j]
                a2 += X[i + 2, j]
                a3 += X[i + 3, j]
                i += 4
            while i < n:
                a0 += X[i, j]
                i += 1
            m = ((a0 + a1) + (a2 + a3)) / n
            mean[j] = m
            sq[j] = _centred_sq_column(X, j, m)
            if with_y:  # the column is still in cache
                a0 = 0.0
                for i in range(n):
                    a0 += X[i, j] * yv[i]
                g[j] = a0


def _shifted_sums_c(const floating[:, ::1] X, y, double[::1] s1, double[::1] s2,
                    xty, gather):
    cdef const double* yp = NULL
    cdef double* gp = NULL
    cdef const double[::1] yv
    cdef double[::1] g
    cdef const int[::1] cols
    cdef const double[::1] off
    cdef floating[:, :] out
    cdef const int* cp = NULL
    cdef const double* op = NULL
    cdef floating* outp = NULL
    cdef long m = 0, ld = 0
    if y is not None:
        yv = y
        g = xty
        yp = &yv[0]
        gp = &g[0]
    if gather is not None and gather[0].shape[0] and X.shape[0]:
        cols, off, out = gather
        m = cols.shape[0]
        if out.shape[0] != X.shape[0] or out.shape[1] != m or (
                X.shape[0] > 1 and out.strides[0] != sizeof(floating)):
            raise ValueError("column_stats: out does not match X and cols.")
        cp, op, outp = &cols[0], &off[0], &out[0, 0]
        ld = out.strides[1] // sizeof(floating)
    with nogil:
        if floating is float:
            skreg_sshifted_sums(X.shape[0], X.shape[1], &X[0, 0], yp, &s1[0],
                                &s2[0], gp, cp, m, op, outp, ld)
        else:
            skreg_dshifted_sums(X.shape[0], X.shape[1], &X[0, 0], yp, &s1[0],
                                &s2[0], gp, cp, m, op, outp, ld)


def centred_sq_norms(X, const double[::1] mean):
    """``sum_i (X[i, j] - mean[j])^2`` for every column of a C- or F-ordered
    dense ``X``, accumulated in float64 without a centred copy."""
    if mean.shape[0] != X.shape[1]:
        raise ValueError("centred_sq_norms: mean does not match the columns.")
    out = np.zeros(X.shape[1], dtype=np.float64)
    if X.flags.f_contiguous:
        _centred_sq_norms_f(X, mean, out)
    elif X.flags.c_contiguous:
        _centred_sq_norms_c(X, mean, out)
    else:
        raise ValueError("centred_sq_norms: X must be C- or F-contiguous.")
    return out


cdef inline double _centred_sq_column(const floating[::1, :] X, Py_ssize_t j,
                                      double m) noexcept nogil:
    """``sum_i (X[i, j] - m)^2``, with four running sums: one would wait on
    each addition's latency."""
    cdef Py_ssize_t i = 0, n = X.shape[0]
    cdef double a0 = 0, a1 = 0, a2 = 0, a3 = 0, d0, d1, d2, d3
    while i + 4 <= n:
        d0 = X[i, j] - m
        d1 = X[i + 1, j] - m
        d2 = X[i + 2, j] - m
        d3 = X[i + 3, j] - m
        a0 += d0 * d0
        a1 += d1 * d1
        a2 += d2 * d2
        a3 += d3 * d3
        i += 4
    while i < n:
        d0 = X[i, j] - m
        a0 += d0 * d0
        i += 1
    return (a0 + a1) + (a2 + a3)


def _centred_sq_norms_f(const floating[::1, :] X, const double[::1] mean,
                        double[::1] sq):
    cdef Py_ssize_t j
    with nogil:
        for j in range(X.shape[1]):
            sq[j] = _centred_sq_column(X, j, mean[j])


def _centred_sq_norms_c(const floating[:, ::1] X, const double[::1] mean,
                        double[::1] sq):
    cdef Py_ssize_t i, j, n = X.shape[0], p = X.shape[1]
    cdef double d
    with nogil:
        for i in range(n):
            for j in range(p):  # contiguous in j: vectorisable
                d = X[i, j] - mean[j]
                sq[j] += d * d


cdef extern from "_cross_products.h" nogil:
    ctypedef struct skreg_v8d:
        pass
    ctypedef struct skreg_v16f:
        pass
    void skreg_dcross_products(long n, int k, int m, const double* A, long lda,
                               const double* B, long ldb, double* C, long cs_a,
                               long cs_b, int sym, skreg_v8d* acc)
    void skreg_scross_products(long n, int k, int m, const float* A, long lda,
                               const float* B, long ldb, float* C, long cs_a,
                               long cs_b, int sym, skreg_v16f* acc)


def cross_products(const floating[:, :] A, const floating[:, :] B,
                   floating[:, :] out):
    """``out[:] = A.T @ B`` for ``A`` (n x k) and ``B`` (n x m) of one dtype
    with contiguous columns (F-ordered, or their first rows); ``out`` (k x m)
    may be a strided view (a block of a larger matrix). Sums run in the
    data's dtype, as BLAS's do; when ``B`` is ``A`` only the upper triangle is
    computed, then mirrored."""
    cdef Py_ssize_t n = A.shape[0], k = A.shape[1], m = B.shape[1]
    cdef Py_ssize_t itemsize = sizeof(floating)
    if B.shape[0] != n or out.shape[0] != k or out.shape[1] != m:
        raise ValueError("cross_products: shapes of A, B and out do not match.")
    if k == 0 or m == 0:
        return
    if k > 2**30 or m > 2**30:
        raise ValueError("cross_products: too many columns.")
    if n > 1 and (A.strides[0] != itemsize or B.strides[0] != itemsize):
        raise ValueError("cross_products: A and B must have contiguous columns.")
    # 16 vectors of 64 bytes per 4 x 4 tile
    acc = np.empty(((k + 3) // 4) * ((m + 3) // 4) * 16 * 64 // itemsize,
                   dtype=np.float32 if floating is float else np.float64)
    cdef floating[::1] acc_v = acc
    cdef long cs_a = out.strides[0] // itemsize, cs_b = out.strides[1] // itemsize
    cdef const floating* a_p = &A[0, 0] if n else NULL
    cdef const floating* b_p = &B[0, 0] if n else NULL
    cdef long lda = max(1, A.strides[1] // itemsize)
    cdef long ldb = max(1, B.strides[1] // itemsize)
    cdef int sym = n > 0 and a_p == b_p and k == m and lda == ldb
    with nogil:
        if floating is float:
            skreg_scross_products(n, k, m, a_p, lda, b_p, ldb, &out[0, 0], cs_a,
                                  cs_b, sym, <skreg_v16f*>&acc_v[0])
        else:
            skreg_dcross_products(n, k, m, a_p, lda, b_p, ldb, &out[0, 0], cs_a,
                                  cs_b, sym, <skreg_v8d*>&acc_v[0])
