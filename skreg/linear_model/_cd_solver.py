"""Coordinate descent for the elastic net: the only caller of ``_cd_fast``.

The solver works on a :class:`~skreg.linear_model._base.Design` (weighted,
centred, intercept-free) and minimises, for each target column ``y``::

    1/(2n) ||y - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2

The kernels work on that objective multiplied by ``n``; gaps are reported on
the objective's own scale.
"""

from typing import NamedTuple

import numpy as np

from . import _cd_fast

__all__ = ["CDResult", "coordinate_descent", "gram_problem"]

_INT32_MAX = np.iinfo(np.int32).max


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
        Passes over the features (epochs) run for each target.
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


def _sparse_parts(X):
    if X.nnz > _INT32_MAX or X.shape[0] > _INT32_MAX:
        raise ValueError(
            "Sparse X with more than 2**31 - 1 stored entries or rows is not "
            "supported by the coordinate-descent kernels."
        )
    return X.data, X.indices.astype(np.int32), X.indptr.astype(np.int32)


def coordinate_descent(design, l1, l2, *, coef_init, positive, max_iter, tol,
                       gram=None, random=False, rng=None):
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
        Maximum number of passes over the features per target.
    tol : float
        Stop once the duality gap is at most ``tol * ||y||^2 / n``.
    gram : GramProblem or None
        Run on precomputed sufficient statistics instead of ``design.X``.
    random : bool
        Visit coordinates in random order (``selection='random'``).
    rng : numpy.random.RandomState or None
        Source of the coordinate order's seed when ``random``.

    Returns
    -------
    result : CDResult
    """
    X, Y = design.X, design.y
    n_samples, n_features = X.shape
    dtype = X.dtype
    n_targets = Y.shape[1]
    scale = dtype.type(n_samples)
    l1s, l2s = dtype.type(l1 * n_samples), dtype.type(l2 * n_samples)
    ws = np.arange(n_features, dtype=np.int32)
    coef = np.array(coef_init, dtype=dtype, order="C", copy=True)
    gaps = np.empty(n_targets)
    gap_tols = np.empty(n_targets)
    n_iter = np.empty(n_targets, dtype=np.int64)

    if gram is None:
        norms2 = design.column_sq_norms()
        if design.is_sparse:
            data, indices, indptr = _sparse_parts(X)
    for t in range(n_targets):
        y = Y[:, t]
        w = coef[t]
        gap_tol = tol * float(y @ y)
        seed = int(rng.randint(1, _INT32_MAX)) if random else 1
        common = (positive, max_iter, dtype.type(gap_tol), dtype.type(tol), random,
                  seed)
        if gram is not None:
            H = gram.Q @ w
            gap, n_ep = _cd_fast.cd_gram(gram.Q, gram.q[:, t], gram.yy[t], w, H, l1s,
                                         l2s, ws, *common)
        elif design.is_sparse:
            R = y.copy()
            if w.any():
                R -= X @ w - (design.X_offset @ w) * design.row_scale
            gap, n_ep = _cd_fast.cd_sparse(data, indices, indptr, design.X_offset,
                                           design.row_scale, y, w, R, norms2, l1s,
                                           l2s, ws, *common)
        else:
            R = y.copy() if not w.any() else np.ascontiguousarray(y - X @ w)
            gap, n_ep = _cd_fast.cd_dense(X, y, w, R, norms2, l1s, l2s, ws, *common)
        gaps[t] = gap / scale
        gap_tols[t] = gap_tol / scale
        n_iter[t] = n_ep
    return CDResult(coef, gaps, gap_tols, n_iter)

