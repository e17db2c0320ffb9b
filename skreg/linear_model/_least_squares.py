"""Unpenalised least squares (``alpha=0``), solved directly rather than by CD.

Coordinate descent has no useful optimality certificate without a penalty, so
``alpha=0`` goes to exact or Krylov least-squares solvers instead.
"""

import numpy as np
from scipy.linalg import lstsq
from scipy.optimize import lsq_linear, nnls
from scipy.sparse.linalg import lsqr

from ._base import centered_operator
from ._cd_solver import CDResult, gap_floor

__all__ = ["least_squares"]


def least_squares(design, *, positive, max_iter, tol):
    """Minimise ``1/(2n) ||y - X w||^2`` (with ``w >= 0`` if ``positive``).

    The reported gap is ``|r . X w| / n`` with ``r`` the residual: the duality
    gap at the dual point ``r``, which is zero exactly at a solution (the
    residual is orthogonal to the fit there, with or without ``w >= 0``).

    Returns
    -------
    result : CDResult
        ``n_iter`` counts the Krylov / active-set iterations (1 for a direct solve).
    """
    X, Y = design.X, design.y
    n_samples, n_features = X.shape
    n_targets = Y.shape[1]
    coef = np.empty((n_targets, n_features), dtype=X.dtype)
    n_iter = np.ones(n_targets, dtype=np.int64)
    rtol = max(np.finfo(X.dtype).eps ** 0.75, 1e-14)
    if design.is_sparse:
        op = centered_operator(design)
        for t in range(n_targets):
            if positive:
                res = lsq_linear(op, Y[:, t], bounds=(0, np.inf), lsq_solver="lsmr",
                                 tol=rtol, max_iter=max_iter)
                coef[t], n_iter[t] = res.x, max(res.nit, 1)
            else:
                out = lsqr(op, Y[:, t], atol=rtol, btol=rtol, iter_lim=max_iter)
                coef[t], n_iter[t] = out[0], max(out[2], 1)
        fitted = np.column_stack([op @ coef[t] for t in range(n_targets)])
    else:
        X = design.centred_dense()
        if positive:
            for t in range(n_targets):
                coef[t] = nnls(X, Y[:, t], maxiter=max(max_iter, 3 * n_features))[0]
        else:
            coef[:] = lstsq(X, Y)[0].T
        fitted = X @ coef.T
    residual = Y - fitted
    gap = np.abs(np.einsum("ij,ij->j", residual, fitted)) / n_samples
    yy = np.einsum("ij,ij->j", Y, Y) / n_samples
    return CDResult(coef, gap, tol * yy, n_iter, gap_floor(yy, X.dtype))
