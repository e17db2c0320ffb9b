"""Coordinate descent for the elastic net: the only caller of ``_cd_fast``.

The solver works on a :class:`~skreg.linear_model._base.Design` (weighted,
centred, intercept-free) and minimises, for each target column ``y``::

    1/(2n) ||y - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2

The kernels work on that objective multiplied by ``n``; gaps are reported on
the objective's own scale.

Strategy (for problems with more than a few features and an L1 part):

* working sets: coordinate descent runs on a small set of features, the
  current support plus as many features closest to violating optimality (so
  the set grows geometrically while the support grows, and shrinks when
  features leave it); once that restricted problem is solved to a fraction of
  the global gap, the global gap is checked and the set is chosen again.
  Features outside the set stay at zero.
* gap-safe screening: features provably zero at the optimum leave for good.
* Anderson extrapolation: every few passes the last iterates are combined into
  an extrapolated point, kept only if it lowers the objective.
* Gram blocks: on dense data with many more samples than working-set features,
  the restricted problem runs on ``X_ws^T X_ws`` (glmnet's covariance updates),
  so a coordinate update costs O(|ws|) instead of O(n_samples).

``n_iter`` counts passes over the features being optimised (all features on
small problems, the working set otherwise).
"""

from typing import NamedTuple

import numpy as np

from . import _cd_fast

__all__ = [
    "CDResult",
    "GramProblem",
    "coordinate_descent",
    "gram_problem",
    "safe_to_discard",
]

_INT32_MAX = np.iinfo(np.int32).max
ANDERSON_K = 5  # passes between extrapolations
SMALL_PROBLEM = 100_000  # n_samples * n_features up to which one kernel call does it
SMALL_P = 64  # at or below this many features, no working sets
FIRST_WS = 10  # smallest working set
INNER_FRACTION = 0.3  # restricted problems are solved to this fraction of the gap


class CDResult(NamedTuple):
    """Outcome of :func:`coordinate_descent`.

    Attributes
    ----------
    coef : ndarray of shape (n_targets, n_features)
    gap : ndarray of shape (n_targets,)
        Duality gap reached, on the objective's scale (divided by n_samples).
    gap_tol : ndarray of shape (n_targets,)
        The gap each target had to reach, on the same scale.
    n_iter : ndarray of shape (n_targets,)
        Passes of coordinate descent run for each target.
    """

    coef: np.ndarray
    gap: np.ndarray
    gap_tol: np.ndarray
    n_iter: np.ndarray

    @property
    def converged(self):
        return bool(np.all(self.gap <= self.gap_tol))


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
    else:
        Q = X.T @ X
        q = X.T @ Y
    dtype = X.dtype
    Q = np.ascontiguousarray(Q, dtype=dtype)
    q = np.asfortranarray(q, dtype=dtype)
    yy = np.einsum("ij,ij->j", Y, Y).astype(dtype)
    return GramProblem(Q, q, yy)


def _int32(a, what):
    if a.size and (a.max(initial=0) > _INT32_MAX):
        raise ValueError(f"{what} too large for the coordinate-descent kernels.")
    return np.asarray(a, dtype=np.int32)


def _check_sparse_size(X):
    if X.nnz > _INT32_MAX or X.shape[0] > _INT32_MAX:
        raise ValueError(
            "Sparse X with more than 2**31 - 1 stored entries or rows is not "
            "supported by the coordinate-descent kernels."
        )


# ---------------------------------------------------------------- restricted problems
class _Restricted:
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


class _DenseRestricted(_Restricted):
    def __init__(self, X, y, w, R, norms2, penalty):
        super().__init__(w, penalty)
        self.X, self.y, self.R, self.norms2 = X, y, R, norms2

    def run(self, n_epochs, snapshots, random, seed):
        _cd_fast.cd_dense(self.X, self.y, self.w, self.R, self.norms2, self.l1,
                          self.l2, self.ws, self.positive, n_epochs, 0, 0, random,
                          seed, 0, snapshots)

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


class _SparseRestricted(_Restricted):
    def __init__(self, X, mean, v, y, w, R, norms2, penalty):
        super().__init__(w, penalty)
        _check_sparse_size(X)
        self.X, self.mean, self.v, self.y, self.R = X, mean, v, y, R
        self.parts = (X.data, _int32(X.indices, "indices"), _int32(X.indptr, "nnz"))
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
        R = self.R - (self.X @ dw - (self.mean @ dw) * self.v)
        return R, R @ R

    def set_state(self, R):
        self.R[:] = R


class _GramRestricted(_Restricted):
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
class _GramCache:
    """Gram entries of the columns seen in working sets, grown as sets change.

    Successive working sets share most of their columns, so only the products
    involving new columns are computed.
    """

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.cols = np.empty(0, dtype=np.intp)
        self.X_cols = np.empty((X.shape[0], 0), dtype=X.dtype, order="F")
        self.Q = np.empty((0, 0), dtype=X.dtype)
        self.q = np.empty(0, dtype=X.dtype)

    def block(self, ws):
        """``(Q_ws, q_ws, X_ws)`` for the sorted working set ``ws``."""
        new = ws[~np.isin(ws, self.cols)]
        if new.size:
            X_new = np.asfortranarray(self.X[:, new])
            cross = X_new.T @ self.X_cols
            Q = np.empty((self.cols.size + new.size,) * 2, dtype=self.X.dtype)
            m = self.cols.size
            Q[:m, :m] = self.Q
            Q[m:, :m] = cross
            Q[:m, m:] = cross.T
            Q[m:, m:] = X_new.T @ X_new
            self.Q, self.cols = Q, np.concatenate([self.cols, new])
            self.q = np.concatenate([self.q, X_new.T @ self.y])
            self.X_cols = np.asfortranarray(np.hstack([self.X_cols, X_new]))
        order = np.argsort(self.cols)
        pos = order[np.searchsorted(self.cols, ws, sorter=order)]
        return (np.ascontiguousarray(self.Q[np.ix_(pos, pos)]),
                np.ascontiguousarray(self.q[pos]), self.X_cols[:, pos])


class _DenseTarget:
    """One target on dense, centred X; ``R = y - X w`` is kept for all features."""

    def __init__(self, X, y, w, norms2, penalty, use_gram_blocks):
        self.X, self.y, self.w, self.norms2 = X, y, w, norms2
        self.penalty = penalty
        self.use_gram_blocks = use_gram_blocks
        self.R = y.copy() if not w.any() else np.ascontiguousarray(y - X @ w)
        self._X_columns = None
        self._gram = _GramCache(X, y) if use_gram_blocks else None

    def gradient(self):
        return self.X.T @ self.R, self.R @ self.R, self.R @ self.y

    def restrict(self, ws, everything):
        w_ws = (self.w if everything else self.w[ws]).copy()
        if self.use_gram_blocks and self.X.shape[0] >= 2 * ws.shape[0]:
            Q, q, X_ws = self._gram.block(ws)
            return _GramRestricted(Q, q, self.y @ self.y, w_ws, self.penalty), X_ws
        if everything:
            if self._X_columns is None:  # the kernels read columns
                self._X_columns = np.asfortranarray(self.X)
            X_ws = self._X_columns
        else:
            X_ws = np.asfortranarray(self.X[:, ws])
        return _DenseRestricted(X_ws, self.y, w_ws, self.R, self.norms2[ws],
                                self.penalty), X_ws

    def absorb(self, ws, restricted, X_ws):
        self.w[ws] = restricted.w
        if isinstance(restricted, _GramRestricted):
            self.R[:] = self.y - X_ws @ restricted.w


class _SparseTarget:
    """One target on CSC X centred implicitly; ``R`` is the true residual."""

    def __init__(self, design, y, w, norms2, penalty):
        self.X, self.mean, self.v = design.X, design.X_offset, design.row_scale
        self.y, self.w, self.norms2, self.penalty = y, w, norms2, penalty
        self.R = y.copy()
        if w.any():
            self.R -= self.X @ w - (self.mean @ w) * self.v

    def gradient(self):
        g = self.X.T @ self.R - self.mean * (self.v @ self.R)
        return g, self.R @ self.R, self.R @ self.y

    def restrict(self, ws, everything):
        X_ws = self.X if everything else self.X[:, ws]
        w_ws = self.w[ws] if not everything else self.w
        return _SparseRestricted(X_ws, self.mean[ws], self.v, self.y, w_ws.copy(),
                                 self.R, self.norms2[ws], self.penalty), None

    def absorb(self, ws, restricted, _):
        self.w[ws] = restricted.w


class _GramTarget:
    """One target on precomputed Gram statistics; ``H = Q w`` is kept."""

    def __init__(self, gram, t, w, penalty):
        self.Q, self.q, self.yy = gram.Q, gram.q[:, t], gram.yy[t]
        self.w, self.penalty = w, penalty
        self.H = self.Q @ w
        self.norms2 = np.diag(self.Q).copy()

    def gradient(self):
        wq = self.w @ self.q
        r2 = max(self.yy - 2 * wq + self.w @ self.H, 0.0)
        return self.q - self.H, r2, self.yy - wq

    def restrict(self, ws, everything):
        if everything:
            Q, q = self.Q, self.q
        else:
            Q, q = np.ascontiguousarray(self.Q[np.ix_(ws, ws)]), self.q[ws]
        return _GramRestricted(Q, np.ascontiguousarray(q), self.yy,
                               self.w[ws].copy(), self.penalty), None

    def absorb(self, ws, restricted, _):
        self.w[ws] = restricted.w
        self.H = self.Q[:, ws] @ restricted.w


# -------------------------------------------------------------------------- solving
def _dual_correlations(g, w, s, l2, positive):
    """``x~_j . theta`` at the augmented-lasso dual point (one-sided if positive)."""
    a = s * (g - l2 * w)
    return a if positive else np.abs(a)


def safe_to_discard(dual_corr, gap_lasso, norms_aug, l1):
    """Gap-safe sphere test: features certainly zero at every optimum.

    The augmented-lasso dual is 1-strongly concave, so its optimum lies within
    ``sqrt(2 gap)`` of the current dual point; a feature whose correlation stays
    below ``l1`` over that whole ball has a zero coefficient at the optimum.

    Parameters
    ----------
    dual_corr : ndarray of shape (n_features,)
        Correlations of the augmented columns with the dual point (absolute
        values, or signed ones under ``positive``).
    gap_lasso : float
        Duality gap at that dual point.
    norms_aug : ndarray of shape (n_features,)
        Norms of the augmented columns, ``sqrt(||x_j||^2 + l2)``.
    l1 : float

    Returns
    -------
    discard : ndarray of bool of shape (n_features,)
    """
    radius = np.sqrt(2 * max(gap_lasso, 0.0))
    return dual_corr + radius * norms_aug < l1


def _inner_solve(restricted, max_epochs, gap_tol, random, rng):
    """Coordinate descent with Anderson extrapolation on a restricted problem."""
    dtype = restricted.w.dtype
    snapshots = np.empty((ANDERSON_K, restricted.w.shape[0]), dtype=dtype)
    epochs = 0
    gap = np.inf
    while epochs < max_epochs:
        n = min(ANDERSON_K, max_epochs - epochs)
        w_prev = restricted.w.copy()
        seed = int(rng.randint(1, _INT32_MAX)) if random else 1
        restricted.run(n, snapshots, random, seed)
        epochs += n
        if n == ANDERSON_K:
            restricted.extrapolate(w_prev, snapshots)
        gap = restricted.gap()
        if gap <= gap_tol:
            break
    return epochs, gap


def _solve_target(target, l1, l2, positive, max_iter, gap_tol, random, rng,
                  working_sets):
    """Working-set coordinate descent on one target; returns (gap, epochs)."""
    w = target.w
    p = w.shape[0]
    norms_aug = np.sqrt(np.maximum(target.norms2, 0) + l2)
    keep = np.ones(p, dtype=bool)
    ws_size = max(FIRST_WS, 2 * np.count_nonzero(w))
    epochs = 0
    while True:
        g, r2, ry = target.gradient()
        gap, gap_lasso, s = _cd_fast.gap_from_gradient(g, w, r2, ry, l1, l2,
                                                       positive)
        if gap <= gap_tol or epochs >= max_iter:
            return gap, max(epochs, 1)
        if working_sets:
            a = _dual_correlations(g, w, s, l2, positive)
            keep &= ~safe_to_discard(a, gap_lasso, norms_aug, l1) | (w != 0)
            n_keep = int(keep.sum())
            if n_keep == 0:
                return gap, max(epochs, 1)
            ws_size = min(ws_size, n_keep)
        everything = not working_sets or ws_size >= p
        if everything:
            ws = np.arange(p)
            inner_tol = gap_tol
        else:
            score = (l1 - a) / np.where(norms_aug > 0, norms_aug, 1)
            score[w != 0] = -np.inf
            score[~keep] = np.inf
            ws = np.sort(np.argpartition(score, ws_size - 1)[:ws_size])
            inner_tol = gap_tol if ws_size == n_keep else INNER_FRACTION * gap
        restricted, extra = target.restrict(ws, everything)
        n_ep, _ = _inner_solve(restricted, max_iter - epochs, inner_tol, random, rng)
        epochs += n_ep
        target.absorb(ws, restricted, extra)
        ws_size = max(FIRST_WS, 2 * np.count_nonzero(w))


def coordinate_descent(design, l1, l2, *, coef_init, positive, max_iter, tol,
                       gram=None, gram_blocks=True, random=False, rng=None,
                       working_sets=True):
    """Minimise the elastic net on every target of ``design``.

    Parameters
    ----------
    design : Design
        Weighted, centred problem (see ``_base.make_design``).
    l1, l2 : float
        Penalty strengths on the objective's scale (``alpha * l1_ratio`` and
        ``alpha * (1 - l1_ratio)``); ``l1 + l2`` must be positive.
    coef_init : ndarray of shape (n_targets, n_features)
        Starting point (not modified).
    positive : bool
    max_iter : int
        Maximum number of passes of coordinate descent per target.
    tol : float
        Stop once the duality gap is at most ``tol * ||y||^2 / n``.
    gram : GramProblem or None
        Run on precomputed sufficient statistics instead of ``design.X``.
    gram_blocks : bool
        On dense X, let restricted problems run on Gram blocks when that is
        cheaper (``precompute='auto'``).
    random : bool
        Visit coordinates in random order (``selection='random'``).
    rng : numpy.random.RandomState or None
        Source of the coordinate order's seeds when ``random``.
    working_sets : bool
        Allow working sets and screening (they only run when there is an L1
        part and more than a few features); False runs every pass over all
        features.

    Returns
    -------
    result : CDResult
    """
    X, Y = design.X, design.y
    n_samples, n_features = X.shape
    dtype = X.dtype
    n_targets = Y.shape[1]
    l1s, l2s = float(l1 * n_samples), float(l2 * n_samples)
    penalty = (dtype.type(l1s), dtype.type(l2s), positive)
    coef = np.array(coef_init, dtype=dtype, order="C", copy=True)
    gaps = np.empty(n_targets)
    gap_tols = np.empty(n_targets)
    n_iter = np.empty(n_targets, dtype=np.int64)
    working_sets = working_sets and l1 > 0 and n_features > SMALL_P
    small = n_samples * n_features <= SMALL_PROBLEM and not working_sets
    if gram is None:
        norms2 = design.column_sq_norms()
    for t in range(n_targets):
        y = Y[:, t]
        w = coef[t]
        gap_tol = tol * float(gram.yy[t] if gram is not None else y @ y)
        if gram is not None:
            target = _GramTarget(gram, t, w, penalty)
        elif design.is_sparse:
            target = _SparseTarget(design, y, w, norms2, penalty)
        else:
            target = _DenseTarget(X, y, w, norms2, penalty,
                                  gram_blocks and not small)
        if small:
            gap, n_ep = _single_call(target, y, gram, t, penalty, max_iter, gap_tol,
                                     tol, random, rng)
        else:
            gap, n_ep = _solve_target(target, l1s, l2s, positive, max_iter,
                                      gap_tol, random, rng, working_sets)
        gaps[t] = gap / n_samples
        gap_tols[t] = gap_tol / n_samples
        n_iter[t] = n_ep
    return CDResult(coef, gaps, gap_tols, n_iter)


def _single_call(target, y, gram, t, penalty, max_iter, gap_tol, tol, random, rng):
    """Small problems: one kernel call over all features, gap checked inside."""
    l1, l2, positive = penalty
    w = target.w
    ws = np.arange(w.shape[0], dtype=np.int32)
    dtype = w.dtype
    seed = int(rng.randint(1, _INT32_MAX)) if random else 1
    common = (positive, max_iter, dtype.type(gap_tol), dtype.type(tol), random, seed,
              10, np.empty((0, 0), dtype=dtype))
    if isinstance(target, _GramTarget):
        return _cd_fast.cd_gram(target.Q, np.ascontiguousarray(target.q), target.yy,
                                w, target.H, l1, l2, ws, *common)
    if isinstance(target, _SparseTarget):
        _check_sparse_size(target.X)
        X = target.X
        return _cd_fast.cd_sparse(X.data, _int32(X.indices, "indices"),
                                  _int32(X.indptr, "nnz"), target.mean, target.v, y,
                                  w, target.R, target.norms2, l1, l2, ws, *common)
    return _cd_fast.cd_dense(np.asfortranarray(target.X), y, w, target.R,
                             target.norms2, l1, l2, ws, *common)
