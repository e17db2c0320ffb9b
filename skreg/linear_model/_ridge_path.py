"""Ridge along a grid of alphas from one decomposition: LOO, k-fold, early stopping.

Every routine here factors a ridge problem once into a :class:`RidgeSpectrum`
(orthonormal directions ``V`` of the centred, row-scaled design ``Xd`` with the
eigenvalues ``lam`` of ``Xd^T Xd``), after which the fit at any alpha is

    coef(alpha) = V diag(1 / (lam + alpha)) V^T Xd^T Yd

and predictions on any rows ``X`` need only ``(X - X_offset) @ V`` (computed
once) times an ``rank x n_targets`` matrix per alpha. The three callers:

- :func:`ridge_path`, the public path,
- exact leave-one-out of :class:`RidgeRegressorCV` (``cv=None``),
- the per-fold scoring of its k-fold mode,
- ``RidgeRegressor(early_stopping=True)``.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy import linalg
from sklearn.metrics import r2_score
from sklearn.utils import check_X_y

from ._base import (
    check_bool,
    check_int,
    check_real,
    check_sample_weight,
    make_design,
    split_weights,
)
from ._path import explicit_grid, geometric_grid
from ._path_early_stopping import (
    EARLY_STOPPING_SPLIT,
    early_stopping_walk,
    validation_split,
)
from ._ridge_solvers import (
    Spectrum,
    centered_gram,
    centered_kernel,
    dense_gram,
    spectral_coefs,
)

__all__ = [
    "RidgePathResult",
    "RidgeSpectrum",
    "fold_squared_error",
    "loo_squared_errors",
    "ridge_early_stopping",
    "ridge_path",
    "ridge_spectrum",
    "spectrum_coefs",
    "spectrum_coefs_per_target",
]

_EPS = np.finfo(np.float64).eps
# Early stopping starts where every eigen-direction is shrunk to at most
# 1 / (1 + _START_FACTOR) of its least-squares size: the fit is nearly zero.
# Starting higher (1e3 was tried) only adds steps whose validation gains are
# below a usual tol, which ends the walk there, before anything was learnt.
_START_FACTOR = 1e2
# Leave-one-out works on (n_samples, chunk, n_targets) blocks of this many entries.
_LOO_BLOCK = 1 << 22


class RidgeSpectrum(NamedTuple):
    """One factorisation of a (weighted, centred) ridge problem.

    Attributes
    ----------
    basis : ndarray of shape (n_features, rank) or None
        Orthonormal eigenvectors ``V`` of ``Xd^T Xd`` (those of non-zero
        eigenvalue when the problem was factored through the kernel). None
        when not asked for (``ridge_spectrum(..., basis=False)``) and the
        route can do without: then ``dual_map`` maps to feature space.
    eigvals : ndarray of shape (rank,)
    proj : ndarray of shape (rank, n_targets)
        ``V^T Xd^T Yd``.
    X_offset : ndarray of shape (n_features,)
    y_offset : ndarray of shape (n_targets,)
    train_scores : ndarray of shape (n_samples, rank) or None
        ``(X - X_offset) @ V`` of the factored rows, when the route got it for
        free (the kernel route with positive weights: ``U sqrt(lam) / sqrt(s)``).
    """

    basis: np.ndarray
    eigvals: np.ndarray
    proj: np.ndarray
    X_offset: np.ndarray
    y_offset: np.ndarray
    train_scores: np.ndarray | None = None
    dual_map: object = None

    def to_features(self, C):
        """``V @ C`` for C of shape (rank, k)."""
        if self.basis is not None:
            return self.basis @ C
        return self.dual_map(C)


def ridge_spectrum(X, Y, sample_weight, fit_intercept, *, basis=True):
    """Factor ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` for every alpha.

    Tall problems eigendecompose the Gram matrix (dense X streamed, never
    copied; sparse X implicitly centred); wide ones the kernel ``Xd Xd^T``,
    whose eigenvectors are mapped back to orthonormal feature-space
    directions, so that both routes give the same form.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets), float64
    sample_weight : ndarray of shape (n_samples,) or None
        Not normalised (the ridge scale).
    fit_intercept : bool
    basis : bool, default=True
        Whether ``V`` is needed explicitly. Leave-one-out needs only the
        training rows' scores and one fit: on the kernel route that spares
        the ``n_features x n_samples x rank`` product forming ``V``.
    """
    n_samples, n_features = X.shape
    if n_features <= n_samples and not sp.issparse(X):
        stats = dense_gram(X, Y, sample_weight, fit_intercept)
        lam, V = linalg.eigh(stats.gram, overwrite_a=True, check_finite=False)
        return RidgeSpectrum(V, np.maximum(lam, 0), V.T @ stats.XtY,
                             stats.X_offset, stats.y_offset)
    if sp.issparse(X):
        X64 = X.astype(np.float64, copy=False)
    else:
        X64 = np.asarray(X, dtype=np.float64)
    design = make_design(X64, Y, sample_weight, fit_intercept)
    if n_features <= n_samples:
        gram, XtY = centered_gram(design)
        lam, V = linalg.eigh(gram, overwrite_a=True, check_finite=False)
        return RidgeSpectrum(V, np.maximum(lam, 0), V.T @ XtY,
                             design.X_offset, design.y_offset)
    lam, U = linalg.eigh(centered_kernel(design), overwrite_a=True,
                         check_finite=False)
    # Kernel directions of (numerically) zero eigenvalue carry no feature-space
    # direction; the others map to V = Xd^T U / sqrt(lam), orthonormal.
    keep = lam > lam.max(initial=0.0) * _EPS * n_samples
    lam, U = lam[keep], U[:, keep]
    root = np.sqrt(lam)
    Yd = np.asarray(design.y, dtype=np.float64)
    v = np.asarray(design.row_scale, dtype=np.float64)
    # Xd V = U sqrt(lam): the rows' scores cost no product over the features
    # (a zero weight hides its row from Xd, so then they are computed).
    scores = U * (root / v[:, None]) if np.all(v > 0) else None
    proj = root[:, None] * (U.T @ Yd)
    if not basis and scores is not None:
        def dual_map(C):
            return _design_rmatmat(design, U @ (C / root[:, None]))
        return RidgeSpectrum(None, lam, proj, design.X_offset, design.y_offset,
                             scores, dual_map)
    return RidgeSpectrum(_design_rmatmat(design, U) / root, lam, proj,
                         design.X_offset, design.y_offset, scores)


def _design_rmatmat(design, C):
    """``Xd^T C`` for the (possibly implicitly centred) design."""
    X = design.X
    out = np.asarray(X.T @ C, dtype=np.float64)
    if not design.centred:
        m = np.asarray(design.X_offset, dtype=np.float64)
        v = np.asarray(design.row_scale, dtype=np.float64)
        out -= np.outer(m, v @ C)
    return out


def centred_scores(X, spectrum):
    """``(X - X_offset) @ V`` for any rows X, without centring X."""
    return np.asarray(X @ spectrum.basis) - spectrum.X_offset @ spectrum.basis


def _shrunk_proj(spectrum, alphas):
    """``proj / (lam + alpha)`` for each alpha: shape (rank, n_alphas * n_targets)."""
    inv = 1.0 / (spectrum.eigvals[None, :] + alphas[:, None])  # (a, rank)
    scaled = inv[:, :, None] * spectrum.proj[None, :, :]       # (a, rank, t)
    return scaled.transpose(1, 0, 2).reshape(spectrum.eigvals.shape[0], -1), inv


def spectrum_coefs(spectrum, alphas):
    """Coefficients, shape (n_alphas, n_targets, n_features), for alphas > 0.

    Each alpha is shared by the targets (see :func:`spectrum_coefs_per_target`
    for one alpha per target).
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    flat, _ = _shrunk_proj(spectrum, alphas)
    n_targets = spectrum.proj.shape[1]
    coefs = spectrum.basis @ flat  # (p, a * t)
    return coefs.reshape(-1, alphas.shape[0], n_targets).transpose(1, 2, 0)


def spectrum_coefs_per_target(spectrum, alpha):
    """Coefficients, shape (n_targets, n_features), target t at ``alpha[t]``."""
    inv = 1.0 / (spectrum.eigvals[:, None] + np.asarray(alpha)[None, :])
    return spectrum.to_features(inv * spectrum.proj).T


def loo_squared_errors(X, Y, sample_weight, spectrum, alphas, fit_intercept):
    r"""Exact leave-one-out errors ``s_i e_i^2``: (n_alphas, n_samples, n_targets).

    With ``Z = [1, X]`` and penalty ``P = diag(0, alpha I)``, dropping sample
    ``i`` (setting ``s_i = 0``) changes its residual to
    ``e_i = r_i / (1 - h_i)``, ``h_i = s_i z_i^T (Z^T S Z + P)^{-1} z_i``.
    Centring by the weighted means makes the intercept column S-orthogonal to
    the centred features, so the inverse is block diagonal and

    .. math::

        h_i = \frac{s_i}{\sum_j s_j}
              + s_i \sum_k \frac{q_{ik}^2}{\lambda_k + \alpha},
        \qquad q_i = (x_i - \bar x)^\top V

    (the first term only with an intercept). ``r_i`` is the residual of the
    full fit in the original (unscaled) units, so zero weights need no
    special case: their ``h_i`` is 0 and they add 0 to the error sum.
    Entries are ``s_i e_i^2`` (scikit-learn's RidgeCV convention): their
    mean over samples is the criterion ``alpha`` is chosen by.
    """
    n_samples = X.shape[0]
    n_targets = Y.shape[1]
    s = np.ones(n_samples) if sample_weight is None else sample_weight
    Q = spectrum.train_scores
    if Q is None:
        Q = centred_scores(X, spectrum)  # (n, rank)
    Q2 = Q * Q
    Yc = Y - spectrum.y_offset
    base = s / s.sum() if fit_intercept else np.zeros(n_samples)
    out = np.empty((alphas.shape[0], n_samples, n_targets))
    chunk = max(1, _LOO_BLOCK // max(1, n_samples * n_targets))
    for start in range(0, alphas.shape[0], chunk):
        a = alphas[start:start + chunk]
        flat, inv = _shrunk_proj(spectrum, a)
        fitted = (Q @ flat).reshape(n_samples, a.shape[0], n_targets)
        lev = s[:, None] * (Q2 @ inv.T) + base[:, None]  # (n, a)
        # h_i = 1 only when sample i alone pins a direction: its LOO error is
        # unbounded, reported as huge rather than as a division by zero.
        denom = np.maximum(1.0 - lev, _EPS)
        err = (Yc[:, None, :] - fitted) / denom[:, :, None]
        out[start:start + a.shape[0]] = (s[:, None, None] * err * err).transpose(
            1, 0, 2)
    return out


def fold_squared_error(X, Y, sample_weight, train, test, alphas, fit_intercept):
    """Held-out weighted MSE of each alpha: shape (n_alphas, n_targets).

    The training rows are factored once; the test predictions for the whole
    grid are one product with their projections on the spectrum.
    """
    sw_train = sw_test = None
    if sample_weight is not None:
        sw_train, sw_test = sample_weight[train], sample_weight[test]
    spectrum = ridge_spectrum(X[train], Y[train], sw_train, fit_intercept)
    Q = centred_scores(X[test], spectrum)
    flat, _ = _shrunk_proj(spectrum, alphas)
    n_test, n_targets = test.shape[0], Y.shape[1]
    pred = (Q @ flat).reshape(n_test, alphas.shape[0], n_targets)
    err = Y[test][:, None, :] - spectrum.y_offset - pred
    err *= err
    if sw_test is None:
        return err.mean(axis=0)
    total = sw_test.sum()
    if total <= 0:
        raise ValueError(
            "sample_weight is zero on a whole cross-validation test fold; its "
            "weighted MSE is undefined. Use other folds (cv) or weights."
        )
    return np.tensordot(sw_test, err, axes=1) / total


def ridge_early_stopping(X, y, sample_weight, *, alpha, positive, n_alphas,
                         validation_fraction, n_iter_no_change, tol,
                         fit_intercept, rng):
    """Walk a ridge path on a training split, scoring R² on the held-out rest.

    The grid has ``n_alphas`` log-spaced values from ``alpha_start`` down to
    ``alpha``, in full-data units: a grid value ``a`` is fitted on the training
    split at ``a * w_train / w_all`` (the ratio of the weight sums, n_train / n
    unweighted), the penalty that balances the data term of the split as ``a``
    balances the full data's, so that the refit on all the data at the chosen
    alpha is the model that was validated. ``alpha_start`` is
    ``100 * lam_max`` of the split's centred Gram matrix in those units: there
    every direction is shrunk below 1/101 of its least-squares size.
    One eigendecomposition of the training split serves the whole walk.

    ``alpha`` is RidgeRegressor's validated per-target array: it must hold a
    single positive value. Returns the
    :class:`~skreg.linear_model._path_early_stopping.EarlyStoppingResult` of
    :func:`~skreg.linear_model._path_early_stopping.early_stopping_walk`.
    """
    if np.unique(alpha).shape[0] != 1 or alpha[0] <= 0:
        raise ValueError(
            "early_stopping=True walks a path down to alpha, which must be a "
            f"single positive number, got alpha={alpha.tolist()!r}."
        )
    if positive:
        raise ValueError(
            "early_stopping=True needs positive=False: its path is spectral and "
            "cannot enforce coef >= 0."
        )
    alpha = float(alpha[0])
    n_samples = X.shape[0]
    train, val = validation_split(n_samples, validation_fraction, rng)
    Y = np.asarray(y, dtype=np.float64).reshape(n_samples, -1)
    sw_train, sw_val = split_weights(sample_weight, train, val,
                                     EARLY_STOPPING_SPLIT)
    if sample_weight is None:
        ratio = train.size / n_samples
    else:
        ratio = sw_train.sum() / sample_weight.sum()
    if sp.issparse(X):
        X = X.tocsr()  # row selection
    spectrum = ridge_spectrum(X[train], Y[train], sw_train, fit_intercept)
    X_val, y_val = X[val], y[val]
    alpha_start = _START_FACTOR * spectrum.eigvals.max(initial=0.0) / ratio
    grid = geometric_grid(alpha_start, alpha, n_alphas)

    def steps():
        for a in grid:
            coef = spectrum_coefs(spectrum, np.array([a * ratio]))[0]
            yield float(a), coef

    def score(coef):
        pred = X_val @ coef.T + (spectrum.y_offset - coef @ spectrum.X_offset)
        return r2_score(y_val.reshape(pred.shape[0], -1), pred,
                        sample_weight=sw_val)

    return early_stopping_walk(steps(), score, n_iter_no_change=n_iter_no_change,
                               tol=tol)


class RidgePathResult(NamedTuple):
    """Outcome of :func:`ridge_path`.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The penalties, decreasing.
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients at each alpha (the layout of :func:`enet_path`).
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercepts at each alpha (zeros when ``fit_intercept=False``).
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray


def ridge_path(X, y, *, alphas=100, eps=1e-6, fit_intercept=True,
               sample_weight=None):
    r"""Ridge solutions along a grid of penalties from one decomposition.

    At each ``alpha`` of the grid, minimises (scikit-learn's Ridge scale, sample
    weights :math:`s_i` not normalised)

    .. math::

        \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \|w\|_2^2

    exactly: one eigendecomposition of the centred Gram matrix (or of the
    kernel matrix when ``n_features > n_samples``) gives every point, each
    equal to ``RidgeRegressor(alpha=alpha, ...)`` fitted alone.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Sparse X is never densified.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    alphas : int or array-like of shape (n_alphas,), default=100
        An int: that many log-spaced values from
        :math:`\alpha_{\max} = 100 \lambda_{\max}` (:math:`\lambda_{\max}`
        the largest eigenvalue of the weighted, centred Gram matrix, where
        every direction is shrunk below 1/101 of its least-squares size; no
        finite alpha zeroes a ridge fit) down to ``eps * alpha_max``. An
        array-like: these values (``>= 0``; 0 gives the minimum-norm
        least-squares solution), in decreasing order.
    eps : float, default=1e-6
        Length of an automatic path, in (0, 1).
    fit_intercept : bool, default=True
    sample_weight : float or array-like of shape (n_samples,), default=None

    Returns
    -------
    path : RidgePathResult
        Named tuple ``(alphas, coefs, intercepts)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.linear_model._ridge_path import ridge_path
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> path = ridge_path(X, y, alphas=[0.0, 10.0, 1.0])
    >>> path.alphas
    array([10.,  1.,  0.])
    >>> np.round(path.coefs, 3) + 0.0
    array([[ 0.329,  0.818,  1.   ],
           [-0.061, -0.091,  0.   ]])
    >>> from skreg.linear_model._ridge import RidgeRegressor
    >>> cold = RidgeRegressor(alpha=1.0).fit(X, y)
    >>> bool(np.allclose(cold.coef_, path.coefs[:, 1]))
    True
    """
    eps = check_real(eps, "eps", low=0, high=1, closed="neither")
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    X, y = check_X_y(X, y, accept_sparse="csr", dtype=[np.float64, np.float32],
                     multi_output=True, y_numeric=True)
    n_samples = X.shape[0]
    Y = np.asarray(y, dtype=np.float64).reshape(n_samples, -1)
    sw = check_sample_weight(sample_weight, X, np.float64, normalised=False)
    spectrum = ridge_spectrum(X, Y, sw, fit_intercept)
    if isinstance(alphas, (int, np.integer)) and not isinstance(alphas, bool):
        n_alphas = check_int(alphas, "alphas", low=1)
        alpha_max = max(_START_FACTOR * spectrum.eigvals.max(initial=0.0),
                        np.finfo(np.float64).resolution)
        grid = geometric_grid(alpha_max, eps * alpha_max, n_alphas)
    else:
        grid = explicit_grid(alphas)
    # The solvers' spectral routine handles alpha = 0 (minimum norm).
    coefs = spectral_coefs(Spectrum(spectrum.basis, spectrum.eigvals,
                                    spectrum.proj), grid)  # (a, t, p)
    intercepts = (spectrum.y_offset[None, :] - coefs @ spectrum.X_offset).T
    coefs = coefs.transpose(1, 2, 0).astype(X.dtype, copy=False)
    intercepts = intercepts.astype(X.dtype, copy=False)
    if y.ndim == 1:
        coefs, intercepts = coefs[0], intercepts[0]
    return RidgePathResult(grid, coefs, intercepts)
