"""Per-target problem states driven by the coordinate-descent solver.

A *target* holds one column of ``y`` with its residual state over all features
(dense, sparse or Gram); it produces the gradient for the global gap and
*restricts* itself to a working set. A *restricted* problem holds the data of
the set, calls the kernel for a few passes, computes its own gap and tests
extrapolated points. Only these classes and the solver call ``_cd_fast``.
"""

from functools import partial
from typing import NamedTuple

import numpy as np

from . import _cd_fast, _columns_fast
from ._column_buffers import clear_padding, column_buffer

_INT32_MAX = np.iinfo(np.int32).max
# Sampled gradients: SAMPLE_BLOCKS blocks of rows spread over X, a quarter of
# the rows and at least SAMPLE_MIN_ROWS, taken where that is at most half.
SAMPLE_MIN_ROWS = 4096
SAMPLE_SHARE = 4
SAMPLE_BLOCKS = 16
# Gram blocks: forming the products of `new` columns with the `m` cached ones
# (and each other) costs about new * (m + new) / (GRAM_SPEEDUP * k) passes over
# a set of k columns. Measured here with float32 and float64 columns: 7-12
# while the set's columns fit in a quarter of L3, 15-22 once they stream from
# memory (the pass slows down, the products do not). A block also costs a
# pass for the residual after it, and a fixed ~60 us of Python more than
# gathered columns, what a pass over BLOCK_OVERHEAD_BYTES of columns takes:
# without it, on 2000 x 500 independent features, the first sets (10 to 100
# features, 5 passes each) ran on blocks for 1.4 ms where columns take 0.9.
GRAM_SPEEDUP_CACHED = 10
GRAM_SPEEDUP_STREAMING = 18
BLOCK_OVERHEAD_BYTES = 2_400_000
# A block's gradient q - Q w cancels: in float32 its optimum can lie where the
# exact gradient on X shows a far larger gap than the block certified (about
# 90x on 2000 x 300 correlated columns, lasso at tol=1e-6, where the fit then
# never converged). Past GRAM_TRUST times, the target stops using blocks.
GRAM_TRUST = 10


# sample_coherence: correlations of at most this many features, on about
# this many evenly spaced rows at most (independent columns then show a mean
# |corr| of about 0.8 / sqrt(rows), 0.0125)
COHERENCE_FEATURES = 16
COHERENCE_ROWS = 4096

__all__ = [
    "DenseRestricted",
    "DenseTarget",
    "GramProblem",
    "GramTarget",
    "SparseTarget",
    "as_int32",
    "check_sparse_size",
    "coherence_floor",
    "gram_problem",
    "sample_coherence",
]


class GramProblem(NamedTuple):
    """Sufficient statistics of a design: ``Q = X^T X``, ``q = X^T Y``, ``yy``."""

    Q: np.ndarray
    q: np.ndarray
    yy: np.ndarray


def gram_problem(design):
    """Gram matrix and correlations of the centred design, in its dtype."""
    X, Y = design.X, design.y
    if design.is_sparse:
        m, v = design.X_offset, design.row_scale
        Q = (X.T @ X).toarray() - (v @ v) * np.outer(m, m)
        q = X.T @ Y - np.outer(m, v @ Y)
    elif design.centred:
        Q = X.T @ X
        q = X.T @ Y
    else:  # implicit centring: accumulate exactly centred row blocks
        Q = np.zeros((X.shape[1],) * 2, dtype=X.dtype)
        for block in design.centred_row_blocks():
            Q += block.T @ block
        q = X.T @ Y - np.outer(design.X_offset, Y.sum(axis=0))
    dtype = X.dtype
    Q = np.ascontiguousarray(Q, dtype=dtype)
    q = np.asfortranarray(q, dtype=dtype)
    yy = np.einsum("ij,ij->j", Y, Y).astype(dtype)
    return GramProblem(Q, q, yy)


def sample_coherence(X, features):
    """Mean absolute correlation between the columns ``features`` of dense or
    CSC ``X`` (the first ``COHERENCE_FEATURES``), on every k-th row, at most
    about ``COHERENCE_ROWS`` rows; 0 for fewer than two non-constant columns."""
    features = np.asarray(features, dtype=np.intp)[:COHERENCE_FEATURES]
    step = max(1, X.shape[0] // COHERENCE_ROWS)
    if features.size < 2 or X.shape[0] < 2:
        return 0.0
    if hasattr(X, "toarray"):
        S = X[:, features][::step].toarray()
    else:
        S = X[::step, features]
    S = S - S.mean(axis=0)
    norms = np.sqrt(np.einsum("ij,ij->j", S, S, dtype=np.float64))
    S = S[:, norms > 0] / norms[norms > 0]
    k = S.shape[1]
    if k < 2:
        return 0.0
    C = np.abs(S.T @ S)
    return float((C.sum() - np.trace(C)) / (k * (k - 1)))


def coherence_floor(n_samples):
    """The mean absolute correlation :func:`sample_coherence` expects of
    independent columns of ``n_samples`` rows: ``sqrt(2 / (pi m))`` on the
    ``m`` rows it reads."""
    step = max(1, n_samples // COHERENCE_ROWS)
    rows = max(1, -(-n_samples // step))
    return float(np.sqrt(2 / (np.pi * rows)))


def as_int32(a, what):
    if a.size and (a.max(initial=0) > _INT32_MAX):
        raise ValueError(f"{what} too large for the coordinate-descent kernels.")
    return np.asarray(a, dtype=np.int32)


def check_sparse_size(X):
    if X.nnz > _INT32_MAX or X.shape[0] > _INT32_MAX:
        raise ValueError(
            "Sparse X with more than 2**31 - 1 stored entries or rows is not "
            "supported by the coordinate-descent kernels."
        )


# ---------------------------------------------------------------- restricted problems
class Restricted:
    """Coordinate descent on the features of a working set (all others at zero).

    Subclasses hold the data of the set and the residual state for ``self.w``;
    they provide the kernel call, the restricted gap and the change of state
    for a change of coefficients (used to test extrapolated points).
    """

    def __init__(self, w, penalty):
        self.w = w
        self.l1, self.l2, self.positive = penalty
        self.ws = np.arange(w.shape[0], dtype=np.int32)

    def objective(self, w, r2):
        pen = self.l1 * np.abs(w).sum() + 0.5 * self.l2 * (w @ w)
        return 0.5 * r2 + pen

    def extrapolate(self, w_prev, snapshots):
        """Anderson step from ``w_prev`` and the passes in ``snapshots``."""
        W = np.vstack([w_prev[None, :], snapshots])
        U = np.diff(W, axis=0)
        C = U @ U.T
        scale = np.trace(C)
        if not scale > 0:
            return
        try:
            z = np.linalg.solve(C / scale + 1e-10 * np.eye(C.shape[0]),
                                np.ones(C.shape[0]))
        except np.linalg.LinAlgError:
            return
        if not np.all(np.isfinite(z)) or z.sum() == 0:
            return
        w_new = (z / z.sum()) @ W[1:]
        if self.positive:
            np.maximum(w_new, 0, out=w_new)
        w_new = w_new.astype(self.w.dtype, copy=False)
        state, r2_new = self.state_for(w_new - self.w)
        if self.objective(w_new, r2_new) < self.objective(self.w, self.r2()):
            self.w[:] = w_new
            self.set_state(state)


class DenseRestricted(Restricted):
    """``zero_padded``: X is a ``column_buffer`` (see ``_cd_fast.cd_dense``)."""

    def __init__(self, X, y, w, R, norms2, penalty, zero_padded=False):
        super().__init__(w, penalty)
        self.X, self.y, self.R, self.norms2 = X, y, R, norms2
        self.zero_padded = zero_padded
        # the passes' cross products, kept from call to call: only the first
        # pass of the first call computes them
        self.cross = _cd_fast.dense_cross_cache(X, self.ws.shape[0], zero_padded)

    def run(self, n_epochs, snapshots, random, seed):
        _cd_fast.cd_dense(self.X, self.y, self.w, self.R, self.norms2, self.l1,
                          self.l2, self.ws, self.positive, n_epochs, 0, 0, random,
                          seed, 0, snapshots, self.zero_padded, self.cross)

    def gap(self):
        return _cd_fast.gap_dense(self.X, self.y, self.w, self.R, self.ws, self.l1,
                                  self.l2, self.positive)

    def r2(self):
        return self.R @ self.R

    def state_for(self, dw):
        R = self.R - self.X @ dw
        return R, R @ R

    def set_state(self, R):
        self.R[:] = R


class SparseRestricted(Restricted):
    """``parts`` are ``(data, indices, indptr)`` of the working set's columns."""

    def __init__(self, parts, mean, v, y, w, R, norms2, penalty):
        super().__init__(w, penalty)
        self.parts, self.mean, self.v, self.y, self.R = parts, mean, v, y, R
        self.norms2 = norms2

    def run(self, n_epochs, snapshots, random, seed):
        _cd_fast.cd_sparse(*self.parts, self.mean, self.v, self.y, self.w, self.R,
                           self.norms2, self.l1, self.l2, self.ws, self.positive,
                           n_epochs, 0, 0, random, seed, 0, snapshots)

    def gap(self):
        return _cd_fast.gap_sparse(*self.parts, self.mean, self.v, self.y, self.w,
                                   self.R, self.ws, self.l1, self.l2, self.positive)

    def r2(self):
        return self.R @ self.R

    def state_for(self, dw):
        Xdw = _columns_fast.matvec(*self.parts, dw, self.R.shape[0])
        R = self.R - (Xdw - (self.mean @ dw) * self.v)
        return R, R @ R

    def set_state(self, R):
        self.R[:] = R


class GramRestricted(Restricted):
    def __init__(self, Q, q, yy, w, penalty):
        super().__init__(w, penalty)
        self.Q, self.q, self.yy = Q, q, yy
        self.H = Q @ w

    def run(self, n_epochs, snapshots, random, seed):
        _cd_fast.cd_gram(self.Q, self.q, self.yy, self.w, self.H, self.l1, self.l2,
                         self.ws, self.positive, n_epochs, 0, 0, random, seed, 0,
                         snapshots)

    def gap(self):
        return _cd_fast.gap_gram(self.Q, self.q, self.yy, self.w, self.H, self.ws,
                                 self.l1, self.l2, self.positive)

    def _r2(self, w, H):
        return max(self.yy - 2 * (w @ self.q) + w @ H, 0.0)

    def r2(self):
        return self._r2(self.w, self.H)

    def state_for(self, dw):
        H = self.H + self.Q @ dw
        return H, self._r2(self.w + dw, H)

    def set_state(self, H):
        self.H[:] = H


# -------------------------------------------------------------------- full problems
class GramCache:
    """Gram entries of the columns seen in working sets, grown as sets change.

    Successive working sets share most of their columns, so only the products
    involving new columns are computed. Each round's new columns are gathered
    into their own F-ordered chunk: one buffer grown as sets grew copied every
    column gathered so far at each growth, which on tall data cost as much as
    the gathers.

    Whole Gram columns instead (new features against every feature, one pass
    over C-ordered X per round) would spare each round's gradient pass and
    residual. A tiled kernel for them took 1.6-2.4x a pass for 10-26 new
    columns on 50 000 x 378 (its memory stream and its arithmetic did not
    overlap), and whole fits came out no faster, so blocks stay.
    """

    def __init__(self, X, y, gather, ready=None, xty=None):
        self.X, self.y, self.gather = X, y, gather
        self.xty = xty  # X_c^T y of all features if known (else from columns)
        # a _sketch.Prefetched: the first block takes its columns if it asks
        # for exactly its features
        self.ready = ready
        self.cols = np.empty(0, dtype=np.intp)
        # columns in the order of ``cols``: centred (shift None), or centred
        # plus a shift per column (prefetched: ``D = X_c + 1 s^T``)
        self.chunks, self.shifts = [], []
        self.Q = np.empty((0, 0), dtype=X.dtype)
        self.q = np.empty(0, dtype=X.dtype)

    def block(self, ws):
        """``(Q_ws, q_ws, pos)`` for the sorted working set ``ws``, where
        ``pos`` are the positions of its columns in ``cols``."""
        new = ws[~np.isin(ws, self.cols)]
        if new.size:
            ready, self.ready = self.ready, None
            if ready is not None and np.array_equal(new, ready.features):
                self._add(new, ready.columns, ready.shift)
            else:
                self._add(new, self.gather(new), None)
        order = np.argsort(self.cols)
        pos = order[np.searchsorted(self.cols, ws, sorter=order)]
        return (np.ascontiguousarray(self.Q[np.ix_(pos, pos)]),
                np.ascontiguousarray(self.q[pos]), pos)

    def _add(self, new, X_new, shift):
        """Append the columns ``X_new`` of features ``new`` (less ``shift``
        from centred, if not None) and their products."""
        m, k = self.cols.size, new.size
        n = self.X.shape[0]
        Q = np.empty((m + k,) * 2, dtype=self.X.dtype)
        Q[:m, :m] = self.Q
        for start, stop, chunk in self._spans():
            # X_new is centred (only a first chunk is shifted): it sums to
            # zero, so its products with D = X_c + 1 s^T are those with X_c
            _columns_fast.cross_products(X_new, chunk, Q[m:, start:stop])
        Q[:m, m:] = Q[m:, :m].T
        _columns_fast.cross_products(X_new, X_new, Q[m:, m:])
        if shift is not None:  # D^T 1 = n s, so X_c^T X_c = D^T D - n s s^T
            Q[m:, m:] -= n * np.outer(shift, shift)
        self.chunks.append(X_new)
        self.shifts.append(shift)
        self.Q, self.cols = Q, np.concatenate([self.cols, new])
        q_new = X_new.T @ self.y if self.xty is None else self.xty[new]
        self.q = np.concatenate([self.q, q_new])  # (y sums to zero)

    def residual(self, pos, w):
        """``y - X[:, cols[pos]] @ w`` from the gathered chunks."""
        w_cols = np.zeros(self.cols.size, dtype=w.dtype)
        w_cols[pos] = w
        R = self.y.copy()
        for (start, stop, chunk), shift in zip(self._spans(), self.shifts,
                                              strict=True):
            if np.any(w_cols[start:stop]):
                R -= chunk @ w_cols[start:stop]
                if shift is not None:
                    R += shift @ w_cols[start:stop]
        return R

    def _spans(self):
        """``(start, stop, chunk)``: each chunk with its columns' span in ``cols``."""
        start = 0
        for chunk in self.chunks:
            yield start, start + chunk.shape[1], chunk
            start += chunk.shape[1]


def centred_columns(X, mean, ws, plain_pages=False):
    """Columns ``ws`` of dense ``X`` less ``mean`` (if not None) in a
    ``column_buffer``."""
    out = column_buffer(X.shape[0], len(ws), X.dtype, plain_pages)
    _columns_fast.gather_dense(X, np.asarray(ws, dtype=np.int32), mean, out)
    return out


class DenseTarget:
    """One target on a dense design; ``R = y - X_c w`` is kept for all features
    (after a Gram block's solve, computed when first asked for, or by the
    gradient's pass over X).

    ``X_c`` is the centred design: ``design.X`` itself, or ``design.X`` minus
    its column means when the design is centred implicitly (unweighted). The
    gradient then takes the means off analytically, and the columns a
    restricted problem works on are gathered and centred exactly.
    """

    def __init__(self, design, y, w, norms2, penalty, use_gram_blocks, xty=None,
                 ready=None, kept=None):
        """``xty``: ``X^T y`` from the pass that took the column statistics,
        if known. ``ready``: a ``_sketch.Prefetched`` whose columns the Gram
        blocks take instead of gathering them (``w`` must be zero). ``kept``:
        a dict that the targets of one design share, where the first to make
        :meth:`all_columns` leaves it for the others."""
        self.design = design
        self.X, self.y, self.w, self.norms2 = design.X, y, w, norms2
        self.mean = None if design.centred else design.X_offset
        self.penalty = penalty
        self.use_gram_blocks = use_gram_blocks
        self.on_block = False
        self.block_cost = None
        # A Gram block's solve leaves R to compute: (positions, coefficients)
        # of its block, until R is asked for (see R) or the gradient's pass
        # over X computes it, where that pass runs over rows (rows_dot_pays)
        # of doubles. (On 50 000 x 378 float32, converting each row twice
        # made fits 8-19% slower than reading the block's 16 MB of columns.)
        self._stale = None
        self._fused = (self.X.dtype == np.float64
                       and _columns_fast.rows_dot_pays(self.X))
        self.R = y.copy()
        support = np.flatnonzero(w)
        if support.size:  # warm starts along a path: only the support counts
            self.R -= self.X[:, support] @ w[support]
            if self.mean is not None:
                self.R += self.mean[support] @ w[support]
        self._kept = {} if kept is None else kept
        self._ws_buffer = None  # see columns
        q = None  # X_c^T y of every feature, known without a pass over X
        if xty is not None:
            q = np.array(xty, dtype=self.X.dtype)
            if self.mean is not None:
                q -= self.mean * y.sum()
        # at w = 0 it is the first gradient (R = y)
        self._first_gradient = None if support.size else q
        # Gram blocks read their columns a few times only: plain pages. (Not a
        # bound method: a cycle would keep the buffers from their pool until
        # the garbage collector ran.)
        self._gram = (GramCache(self.X, y, partial(centred_columns, self.X,
                                                   self.mean, plain_pages=True),
                                ready, q)
                      if use_gram_blocks else None)

    def columns(self, ws):
        """The centred columns ``ws`` (see ``column_buffer``), valid until the
        next call: working sets are gathered into one buffer, made anew only
        for a set larger than it, with room for four times that set (at most
        half the features: larger sets run on :meth:`all_columns`). A set's
        columns then overwrite lines that held the last set's, still in cache
        from its passes: on 2000 x 500 C-ordered X, lasso and elastic net fits
        whose sets grew 10, 50, 100, 198 took 5-10% less time than with a fresh
        buffer per set. Only the columns in use are touched (padding
        included): on tall X, fresh pages cost more than gathers. Where the
        targets of a design gather from :meth:`all_columns` (``copy_first``
        in ``kept``, see ``coordinate_descent``), the first call makes it."""
        n, p = self.X.shape
        k = len(ws)
        if self._ws_buffer is None or self._ws_buffer.shape[1] < k:
            room = max(k, min(4 * k, -(-p // 2)))
            self._ws_buffer = column_buffer(n, room, self.X.dtype,
                                            zero_padding=False)
        out = self._ws_buffer[:, :k]
        clear_padding(out)
        if self._kept.get("copy_first"):
            _columns_fast.gather_dense(self.all_columns(),
                                       np.asarray(ws, dtype=np.int32), None, out)
        else:
            _columns_fast.gather_dense(self.X, np.asarray(ws, dtype=np.int32),
                                       self.mean, out)
        return out

    def all_columns(self):
        """The whole centred design with contiguous columns, made once:
        kernels read columns. Unless X is centred already, it is a
        ``column_buffer`` (``padded``): gathering it cost 1.3 ms on 2000 x
        500 C-ordered X where numpy's F-ordered subtract cost 1.8 ms. Targets
        of one design share it (``kept``): kernels only read it."""
        if "columns" not in self._kept:
            # in a buffer of its own: the next set overwrites that of columns()
            self._kept["columns"] = (
                self.design.centred_dense() if self.design.centred
                else centred_columns(self.X, self.mean, np.arange(self.X.shape[1])))
        return self._kept["columns"]

    def coherence(self, features):
        """:func:`sample_coherence` of the columns ``features``, read from
        :meth:`all_columns` once a target of this design has made it: its
        columns are contiguous (in three-target fits on 2000 x 500 C-ordered
        X, 0.18-0.22 ms per target against 0.26-0.31 from the rows of X)."""
        return sample_coherence(self._kept.get("columns", self.X), features)

    @property
    def padded(self):
        """Whether :meth:`all_columns` is a ``column_buffer``."""
        return not self.design.centred

    @property
    def R(self):
        """``y - X_c w`` (see :meth:`_settle`)."""
        self._settle()
        return self._R

    @R.setter
    def R(self, value):
        self._R = value

    def _settle(self):
        """Compute R from the last Gram block's columns if that block's solve
        left it stale."""
        if self._stale is not None:
            pos, w_block = self._stale
            self._stale = None
            self._R[:] = self._gram.residual(pos, w_block)

    def gradient(self):
        if self._first_gradient is not None:
            g, self._first_gradient = self._first_gradient.copy(), None
        else:
            if self._stale is not None:  # R and X_c^T R in one pass over X
                self._stale = None
                g = _columns_fast.rows_residual_dot(self.X, self.y, self.mean,
                                                    self.w, self._R)
            elif "columns" in self._kept:  # centred, contiguous columns
                return (self._kept["columns"].T @ self.R, self.R @ self.R,
                        self.R @ self.y)
            else:
                g = _columns_fast.xt_dot(self.X, self.R)
            if self.mean is not None:
                g -= self.mean * self.R.sum()  # the residual is orthogonal to 1
        return g, self.R @ self.R, self.R @ self.y

    @property
    def can_sample(self):
        """Whether :meth:`sampled_gradient` reads at most half of X."""
        return self._sample_blocks() is not None

    def sampled_gradient(self):
        """:meth:`gradient` with ``X_c^T R`` estimated from blocks of rows.

        The blocks are evenly spaced and hold a quarter of the rows, so the
        estimate costs a quarter of a pass; it is centred within the sample and
        scaled to all rows. It ranks features for a working set (on 50 000 x
        378 its sets of 20, 40 and 60 shared 18, 36 and 48 features with the
        exact gradient's, and whole fits took 13-26% less time), never for a
        gap that stops the solver. ``r2`` and ``ry`` are exact.
        """
        size, starts = self._sample_blocks()
        g = np.zeros(self.X.shape[1], dtype=self.X.dtype)
        r_sum = 0.0
        for start in starts:
            R = self.R[start:start + size]
            g += self.X[start:start + size].T @ R
            r_sum += R.sum()
        scale = self.X.shape[0] / (size * starts.size)
        if self.mean is not None:
            g -= self.mean * r_sum
        g *= scale
        return g, self.R @ self.R, self.R @ self.y

    def _sample_blocks(self):
        """``(block size, block starts)``, or None when X is too short."""
        n = self.X.shape[0]
        rows = max(SAMPLE_MIN_ROWS, n // SAMPLE_SHARE)
        if 2 * rows > n:
            return None
        size = -(-rows // SAMPLE_BLOCKS)
        return size, np.linspace(0, n - size, SAMPLE_BLOCKS).astype(np.intp)

    def restrict(self, ws, everything, start=None, passes=None):
        """The problem on ``ws``, from ``start`` if given (the target must
        then be at zero: see ``_solve_target``'s ``first_set``). ``passes``:
        how many passes the solve is expected to take (None: many), which
        decides whether forming a Gram block pays. ``on_block`` then says
        whether it runs on one."""
        w_ws = (self.w if everything else self.w[ws]).copy()
        if start is not None:
            w_ws[:] = start
        # A set on columns where a block is possible may switch to one after
        # twice ``block_cost`` passes (see ``_solve_target``).
        cost = self._block_cost(ws)
        self.on_block = cost is not None and (passes is None or cost <= passes)
        self.block_cost = None if self.on_block else cost
        if self.on_block:
            Q, q, pos = self._gram.block(ws)
            return GramRestricted(Q, q, self.y @ self.y, w_ws, self.penalty), pos
        X_ws = self.all_columns() if everything else self.columns(ws)
        if start is not None:
            self.R -= X_ws @ w_ws
        return DenseRestricted(X_ws, self.y, w_ws, self.R, self.norms2[ws],
                                self.penalty,
                                zero_padded=self.padded or not everything), X_ws

    def _block_cost(self, ws):
        """What forming the set's Gram block costs, in passes over its
        columns; None where blocks are off. A set runs on a block when that
        is at most the passes expected of it. (A large support that few
        passes settle, as on well-conditioned tall data, runs on columns.)"""
        n, k = self.X.shape[0], ws.shape[0]
        if not (self.use_gram_blocks and n >= 2 * k):
            return None
        cached = self._gram.cols.size
        fresh = ws[~np.isin(ws, self._gram.cols)]
        new = fresh.size
        nbytes = n * k * self.X.itemsize
        streaming = nbytes > _cd_fast.data_cache_bytes(3) // 4
        speedup = GRAM_SPEEDUP_STREAMING if streaming else GRAM_SPEEDUP_CACHED
        products = new * (cached + new) / (speedup * k)
        ready = self._gram.ready
        if ready is not None and np.array_equal(fresh, ready.features):
            # gathered already: on columns they would be gathered again, at
            # more than the block's residual and fixed cost
            return products
        return products + 1 + BLOCK_OVERHEAD_BYTES / nbytes

    def absorb(self, ws, restricted, extra):
        self.w[ws] = restricted.w
        if isinstance(restricted, GramRestricted):  # extra: the block's positions
            self._stale = (extra, restricted.w)
            if not self._fused:  # no pass over rows to join
                self._settle()

    def check_block(self, block_gap, exact_gap, before=np.inf):
        """Stop using Gram blocks if the gap the last block certified for its
        set is ``GRAM_TRUST`` times below that set's gap from the exact
        gradient on X, or if that gap is no lower than ``before``, the set's
        exact gap at the round's start: the block's solve then moved nothing
        the exact gradient sees. (In float32, on columns with means up to 1e4,
        a block certified a gap of 0 that X put 9x above its floor, and the
        same round of 2 passes on 3 features ran until max_iter.)"""
        if exact_gap > GRAM_TRUST * block_gap or exact_gap >= before:
            self.use_gram_blocks = False


class SparseTarget:
    """One target on CSC X centred implicitly; ``R`` is the true residual."""

    can_sample = False  # see DenseTarget.sampled_gradient
    on_block = False  # see DenseTarget.restrict
    block_cost = None

    def __init__(self, design, y, w, norms2, penalty):
        self.X, self.mean, self.v = design.X, design.X_offset, design.row_scale
        self.y, self.w, self.norms2, self.penalty = y, w, norms2, penalty
        check_sparse_size(self.X)
        self.parts = (self.X.data, as_int32(self.X.indices, "indices"),
                      as_int32(self.X.indptr, "nnz"))
        self.R = y.copy()
        support = np.flatnonzero(w)
        if support.size:
            w_s = w[support]
            self.R -= self.X[:, support] @ w_s - (self.mean[support] @ w_s) * self.v

    def gradient(self):
        g = self.X.T @ self.R - self.mean * (self.v @ self.R)
        return g, self.R @ self.R, self.R @ self.y

    def restrict(self, ws, everything, start=None, passes=None):
        if start is not None:
            raise ValueError("SparseTarget: no first set (see _sketch).")
        if everything:
            parts, w_ws = self.parts, self.w
        else:
            parts = _columns_fast.gather_columns(*self.parts, ws.astype(np.int32))
            w_ws = self.w[ws]
        return SparseRestricted(parts, self.mean[ws], self.v, self.y, w_ws.copy(),
                                 self.R, self.norms2[ws], self.penalty), None

    def absorb(self, ws, restricted, _):
        self.w[ws] = restricted.w

    def coherence(self, features):
        """:func:`sample_coherence` of the columns ``features``."""
        return sample_coherence(self.X, features)


class GramTarget:
    """One target on precomputed Gram statistics; ``H = Q w`` is kept."""

    can_sample = False  # its gradient costs no pass over X
    on_block = False  # (its gradient comes from the same statistics)
    block_cost = None

    def __init__(self, gram, t, w, penalty):
        self.Q, self.q, self.yy = gram.Q, gram.q[:, t], gram.yy[t]
        self.w, self.penalty = w, penalty
        self.H = self.Q @ w
        self.norms2 = np.diag(self.Q).copy()

    def gradient(self):
        wq = self.w @ self.q
        r2 = max(self.yy - 2 * wq + self.w @ self.H, 0.0)
        return self.q - self.H, r2, self.yy - wq

    def restrict(self, ws, everything, start=None, passes=None):
        if start is not None:
            raise ValueError("GramTarget: no first set (see _sketch).")
        if everything:
            Q, q = self.Q, self.q
        else:
            Q, q = np.ascontiguousarray(self.Q[np.ix_(ws, ws)]), self.q[ws]
        return GramRestricted(Q, np.ascontiguousarray(q), self.yy,
                               self.w[ws].copy(), self.penalty), None

    def absorb(self, ws, restricted, _):
        self.w[ws] = restricted.w
        self.H = self.Q[:, ws] @ restricted.w
