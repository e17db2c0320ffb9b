"""The work of one cross-validation fold along the path, and the choice of alpha.

A fold makes the design of its training part once and walks every grid with
warm starts, then scores all the solutions on its held-out part at once. On
dense data with many samples per feature, the fold's Gram matrix comes from
the moments of all rows (formed once, before the folds run) minus those of its
test rows, which is cheaper than forming it from the training rows.
"""

from math import sqrt
from typing import NamedTuple

import numpy as np

from ._base import make_design, split_weights
from ._cd_solver import GramProblem
from ._path import path_gram, use_gram, walk_path

__all__ = ["fold_mse", "full_gram_stats", "select_alpha"]


class _GramStats(NamedTuple):
    """Weighted second moments of rows of (X, Y) about a fixed centre (float64)."""

    xx: np.ndarray  # sum s (x - cx)(x - cx)'
    xy: np.ndarray  # sum s (x - cx)(y - cy)'
    yy: np.ndarray  # sum s (y - cy)^2, per target
    x: np.ndarray  # sum s (x - cx)
    y: np.ndarray  # sum s (y - cy)
    w: float  # sum s

    def __sub__(self, other):
        return _GramStats(*(a - b for a, b in zip(self, other, strict=True)))


def _gram_stats(X, Y, sample_weight, centre, rows, block=4096):
    """:class:`_GramStats` of ``rows``, in row blocks (no copy of all of X)."""
    cx, cy = centre
    n_features, n_targets = X.shape[1], Y.shape[1]
    out = [np.zeros((n_features, n_features)), np.zeros((n_features, n_targets)),
           np.zeros(n_targets), np.zeros(n_features), np.zeros(n_targets), 0.0]
    for start in range(0, rows.size, block):
        r = rows[start:start + block]
        root = (np.ones(r.size) if sample_weight is None
                else np.sqrt(sample_weight[r], dtype=np.float64))
        Xb = np.subtract(X[r], cx, dtype=np.float64)
        Xb *= root[:, None]
        Yb = (Y[r] - cy) * root[:, None]
        out[0] += Xb.T @ Xb
        out[1] += Xb.T @ Yb
        out[2] += np.einsum("ij,ij->j", Yb, Yb)
        out[3] += root @ Xb
        out[4] += root @ Yb
        out[5] += root @ root
    return _GramStats(*out)


def _fold_gram(full, X, Y, sample_weight, train, test, fit_intercept, dtype):
    """The fold's centred Gram problem: all rows' moments minus the test rows'.

    Forming ``X_train' X_train`` costs ``n_train p^2`` per fold; subtracting
    the test rows' moments from those of all rows (formed once, about the
    overall mean, so that the subtraction cancels no large offset) costs
    ``n_test p^2``. The result is re-centred on the training mean and scaled
    as ``make_design`` scales the training weights (to sum to ``n_train``).
    """
    st = full.stats - _gram_stats(X, Y, sample_weight, full.centre, test)
    Q, q, yy = st.xx, st.xy, st.yy
    if fit_intercept:
        Q = Q - np.outer(st.x, st.x) / st.w
        q = q - np.outer(st.x, st.y) / st.w
        yy = yy - st.y**2 / st.w
    scale = train.size / st.w
    return GramProblem(np.ascontiguousarray(Q * scale, dtype=dtype),
                       np.asfortranarray(q * scale, dtype=dtype),
                       np.asarray(yy * scale, dtype=dtype))


class _FullGram(NamedTuple):
    centre: tuple  # (x centre, y centre): the weighted means, or zeros
    stats: _GramStats


def full_gram_stats(X, Y, sample_weight, fit_intercept):
    n_samples = X.shape[0]
    if fit_intercept:
        s = np.ones(n_samples) if sample_weight is None else sample_weight
        centre = ((s @ X) / s.sum(), (s @ Y) / s.sum())
    else:
        centre = (np.zeros(X.shape[1]), np.zeros(Y.shape[1]))
    stats = _gram_stats(X, Y, sample_weight, centre, np.arange(n_samples))
    return _FullGram(centre, stats)


def _is_partition(train, test, n_samples):
    seen = np.zeros(n_samples, dtype=bool)
    seen[train] = True
    return (int(seen.sum()) == train.size and train.size + test.size == n_samples
            and not seen[test].any())


def fold_mse(X, y, sample_weight, train, test, l1_ratios, grids, *, fit_intercept,
              precompute, max_iter, tol, positive, random, seed, full_gram=None):
    """Held-out MSE of one fold at every (l1_ratio, alpha).

    Returns ``(mse, n_unconverged)``, ``mse`` of shape (n_l1_ratios, n_alphas),
    averaged over targets and weighted by the test part's sample weights.
    Warnings are counted rather than raised: on a remote worker they would be
    lost.
    """
    sw_train, sw_test = split_weights(
        sample_weight, train, test,
        "the training or test part of a cross-validation fold; use other folds "
        "(cv) or positive weights",
    )
    if sw_train is not None:
        sw_train = sw_train * (train.size / sw_train.sum())
    design = make_design(X[train], y[train], sw_train, fit_intercept)
    if (full_gram is not None and use_gram(precompute, train.size, X.shape[1])
            and train.size >= test.size and _is_partition(train, test, X.shape[0])):
        gram = _fold_gram(full_gram, X, y.reshape(X.shape[0], -1), sample_weight,
                          train, test, fit_intercept, X.dtype)
    else:
        gram = path_gram(precompute, design)
    X_test = X[test]
    Y_test = y[test].reshape(test.size, -1).astype(np.float64)
    n_targets, n_features = design.y.shape[1], X.shape[1]
    rng = np.random.RandomState(seed)

    mse = np.empty(grids.shape)
    n_bad = 0
    for k, l1_ratio in enumerate(l1_ratios):
        steps = walk_path(design, l1_ratio, grids[k],
                          coef_init=np.zeros((n_targets, n_features), X.dtype),
                          gram=gram, positive=positive, max_iter=max_iter, tol=tol,
                          random=random, rng=rng)
        coefs = []
        for _, result in steps:
            coefs.append(result.coef)
            n_bad += not result.converged
        coefs = np.stack(coefs)  # (n_alphas, n_targets, n_features)
        flat = coefs.reshape(-1, n_features)
        intercepts = np.repeat(design.y_offset[None, :], len(coefs), axis=0).ravel()
        intercepts = intercepts - flat @ design.X_offset
        pred = np.asarray(X_test @ flat.T, dtype=np.float64) + intercepts
        resid = pred.reshape(test.size, len(coefs), n_targets) - Y_test[:, None, :]
        mse[k] = np.average(resid**2, axis=0, weights=sw_test).mean(axis=-1)
    return mse, n_bad


def select_alpha(mse_path, rule):
    """Indices ``(l1_ratio, alpha)`` chosen from ``mse_path`` (..., n_alphas, n_folds).

    'min': the smallest mean over folds. '1se' (glmnet's ``lambda.1se``): the
    largest alpha (grids are decreasing: the first index) whose mean is within
    one standard error of that minimum, on the l1_ratio of the minimum; the
    standard error is the folds' standard deviation (ddof=1) over sqrt(n_folds).
    Ties go to the larger alpha, then the first l1_ratio.
    """
    mean = mse_path.mean(axis=-1)
    i_l1, i_alpha = np.unravel_index(np.argmin(mean), mean.shape)
    if rule == "1se":
        n_folds = mse_path.shape[-1]
        se = mse_path[i_l1, i_alpha].std(ddof=1) / sqrt(n_folds)
        i_alpha = int(np.flatnonzero(mean[i_l1] <= mean[i_l1, i_alpha] + se)[0])
    return int(i_l1), int(i_alpha)
