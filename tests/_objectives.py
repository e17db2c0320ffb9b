"""Elastic-net objective and optimality conditions, written plainly for tests."""

import numpy as np
import scipy.sparse as sp


def objective(est, X, y, sw, alpha, l1_ratio):
    X = X.toarray() if sp.issparse(X) else X
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    coef = np.atleast_2d(est.coef_).astype(float)
    resid = y.reshape(n, -1) - X @ coef.T - est.intercept_
    return (0.5 / n * (s[:, None] * resid**2).sum()
            + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * (coef**2).sum())


def kkt_violation(est, X, y, sw, alpha, l1_ratio, positive=False):
    """Largest violation of the elastic-net optimality conditions (objective scale)."""
    X = X.toarray() if sp.issparse(X) else X
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    coef = np.atleast_2d(est.coef_).astype(float)
    resid = y.reshape(n, -1) - X @ coef.T - est.intercept_
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    worst = abs((s[:, None] * resid).sum(axis=0)).max() / n  # intercept condition
    for t in range(coef.shape[0]):
        g = X.T @ (s * resid[:, t]) / n - l2 * coef[t]
        nz = coef[t] != 0
        worst = max(worst, np.abs(g[nz] - l1 * np.sign(coef[t][nz])).max(initial=0))
        zero_part = g[~nz] if positive else np.abs(g[~nz])
        worst = max(worst, (zero_part - l1).max(initial=0))
    return worst
