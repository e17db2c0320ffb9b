"""Regularization paths: the alpha grid and warm-started paths.

A path solves the same problem at a decreasing sequence of penalties, each
solve starting from the previous solution: near ``alpha_max`` the solutions
are sparse and cheap, and every later solve starts close to its answer. The
same walk serves three callers: :func:`enet_path` (the public path), the
cross-validated estimators (one walk per fold, see ``_cv.py``), and
``early_stopping=True`` on the estimators (see ``_path_early_stopping.py``).
"""

import warnings
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, check_X_y

from .._validation import InvalidParameterError
from ._base import (
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_sample_weight,
    keep_stats,
    make_design,
)
from ._cd_solver import coordinate_descent, gram_problem, precision_hint
from ._least_squares import least_squares

__all__ = [
    "PathResult",
    "alpha_grid",
    "check_alphas",
    "enet_path",
    "explicit_grid",
    "geometric_grid",
    "lasso_path",
    "use_gram",
    "walk_path",
]


# --------------------------------------------------------------------------
# the alpha grid


def _alpha_max(X, y, sample_weight, fit_intercept, l1_ratio):
    """Smallest alpha at which every coefficient of every target is zero.

    ``max_j |x_j^c . y^c| / (n * l1_ratio)`` on the weighted, centred problem
    (weights summing to n), without centring X: ``X^c' S y^c = X' S y^c -
    xbar 1' S y^c``, where the last factor is zero but for rounding.
    """
    if l1_ratio == 0:
        raise InvalidParameterError(
            "l1_ratio=0 (a pure L2 penalty) has no finite alpha_max, so no automatic "
            "alpha grid: pass an explicit grid with alphas=[...], or use "
            "l1_ratio > 0."
        )
    n_samples = X.shape[0]
    Y = np.asarray(y, dtype=np.float64).reshape(n_samples, -1)
    if sample_weight is None:
        s = np.ones(n_samples)
    else:
        s = np.asarray(sample_weight, dtype=np.float64)
        s = s * (n_samples / s.sum())
    if fit_intercept:
        Y = Y - (s @ Y) / n_samples
    R = Y * s[:, None]
    corr = np.asarray(X.T @ R)
    if fit_intercept:
        # R sums to zero but for rounding: removing that residue times the
        # column means gives X^c' R without a centred copy of X.
        X_mean = np.asarray(s @ X, dtype=np.float64).ravel() / n_samples
        corr = corr - np.outer(X_mean, R.sum(axis=0))
    alpha_max = float(np.max(np.abs(corr), initial=0.0)) / (n_samples * l1_ratio)
    # The solver sums the same correlations in another order: round up by far
    # more than that rounding, so that the path's first point is exactly zero.
    alpha_max *= 1.0 + max(1e-10, 64 * float(np.finfo(X.dtype).eps))
    # Constant y or X: every alpha gives w = 0. scikit-learn's grid uses the
    # float64 resolution there too, which keeps the grid positive.
    return max(alpha_max, np.finfo(np.float64).resolution)


def geometric_grid(alpha_max, alpha_min, n_alphas):
    """``n_alphas`` log-spaced values from ``alpha_max`` down to ``alpha_min``.

    One value (``alpha_max``, or ``alpha_min`` when it is the larger) when
    ``n_alphas == 1`` or the range is empty.
    """
    if n_alphas == 1 or alpha_min >= alpha_max:
        return np.array([alpha_max if n_alphas == 1 else alpha_min], dtype=float)
    return np.geomspace(alpha_max, alpha_min, n_alphas)


def _check_path_data(X, y, sample_weight):
    X, y = check_X_y(X, y, accept_sparse="csc", dtype=[np.float64, np.float32],
                     multi_output=True, y_numeric=True)
    y = np.asarray(y, dtype=X.dtype)
    sw = check_sample_weight(sample_weight, X, X.dtype)
    if sw is not None:
        sw *= X.shape[0] / sw.sum()
    return X, y, sw


def alpha_grid(X, y, *, l1_ratio=1.0, eps=1e-3, n_alphas=100, fit_intercept=True,
               sample_weight=None):
    r"""The default grid of penalties of a regularization path.

    ``n_alphas`` values, log-spaced from :math:`\alpha_{\max}` down to
    ``eps`` :math:`\cdot \alpha_{\max}`, where :math:`\alpha_{\max}` is the
    smallest penalty at which every coefficient is zero:

    .. math::

        \alpha_{\max} = \frac{\max_j |x_j^{c\top} S\, y^{c}|}{n\, \rho}

    with :math:`x^c, y^c` centred by their weighted means (when
    ``fit_intercept``), :math:`S` the diagonal of sample weights rescaled to sum
    to :math:`n`, and :math:`\rho` = ``l1_ratio``. With several targets the
    maximum runs over targets too, so that all of them are zero at the top.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    l1_ratio : float, default=1.0
        Mix of the penalties, in (0, 1]. ``l1_ratio=0`` raises a ValueError:
        a pure L2 penalty never zeroes all the coefficients, so there is no
        finite :math:`\alpha_{\max}` (pass an explicit grid instead), as in
        scikit-learn.
    eps : float, default=1e-3
        Length of the path, in (0, 1): the last alpha is ``eps * alpha_max``.
    n_alphas : int, default=100
        Number of alphas, at least 1.
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.linear_model import alpha_grid
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    >>> y = np.array([1.0, 0.0, 1.0, 0.0])
    >>> np.round(alpha_grid(X, y, n_alphas=3, eps=0.01), 6)
    array([0.25  , 0.025 , 0.0025])
    """
    l1_ratio = check_real(l1_ratio, "l1_ratio", low=0, high=1)
    eps = check_real(eps, "eps", low=0, high=1, closed="neither")
    n_alphas = check_int(n_alphas, "n_alphas", low=1)
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    X, y, sw = _check_path_data(X, y, sample_weight)
    alpha_max = _alpha_max(X, y, sw, fit_intercept, l1_ratio)
    return geometric_grid(alpha_max, eps * alpha_max, n_alphas)


def check_alphas(alphas, *, X, y, sample_weight, fit_intercept, l1_ratio, eps):
    """Resolve ``alphas`` (an int: how many; or an explicit grid) to a grid.

    Follows scikit-learn >= 1.7's ``LassoCV(alphas=...)``: an int asks for the
    automatic grid of that many values, an array-like is used as given (sorted
    in decreasing order, so that the path goes from sparse to dense).
    ``X``, ``y`` and ``sample_weight`` must be validated already.
    """
    if isinstance(alphas, (bool, np.bool_)):
        raise InvalidParameterError(
            f"alphas must be an int or an array-like, got {alphas!r}.")
    if isinstance(alphas, (int, np.integer)):
        if alphas < 1:
            raise InvalidParameterError(
                f"alphas, when an int, is the number of alphas (n_alphas) and must "
                f"be at least 1, got {alphas!r}."
            )
        alpha_max = _alpha_max(X, y, sample_weight, fit_intercept, l1_ratio)
        return geometric_grid(alpha_max, eps * alpha_max, int(alphas))
    return explicit_grid(alphas)


def explicit_grid(alphas):
    """An explicit grid of penalties, validated and sorted in decreasing order."""
    try:
        grid = np.array(alphas, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"alphas must be an array-like of non-negative floats, got {alphas!r}."
        ) from None
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise InvalidParameterError(
            f"alphas must be a non-empty array of finite, non-negative floats, got "
            f"{alphas!r}."
        )
    return np.sort(grid)[::-1].copy()


# --------------------------------------------------------------------------
# the warm-started walk


def path_gram(precompute, design):
    """Sufficient statistics for a whole path, or None to run on X.

    'auto' forms the Gram matrix when ``n_samples >= 2 * n_features`` (and
    ``n_features <= 4096``): along a path it is formed once and reused at every
    alpha. Otherwise the path runs on X without the solver's per-call Gram
    blocks, which a warm-started path would rebuild at every alpha.
    """
    return gram_problem(design) if use_gram(precompute, *design.X.shape) else None


def use_gram(precompute, n_samples, n_features):
    """Whether a path (or its refit) runs on the full Gram matrix."""
    if isinstance(precompute, str):
        return n_samples >= 2 * n_features and n_features <= 4096
    return bool(precompute)


def check_precompute(precompute):
    """``precompute`` of a path: True, False or 'auto' (folds form their own Gram)."""
    if isinstance(precompute, str):
        return check_choice(precompute, "precompute", {"auto"})
    if isinstance(precompute, (bool, np.bool_)):
        return bool(precompute)
    raise InvalidParameterError(
        "precompute must be True, False or 'auto' along a path (each training "
        f"split needs its own Gram matrix), got {type(precompute).__name__}."
    )


def walk_path(design, l1_ratio, alphas, *, coef_init, gram, positive, max_iter, tol,
              random, rng):
    """Solve at each alpha in turn, warm-started; yield ``(alpha, CDResult)``.

    Lazy, so a caller that stops early pays only for the steps it consumed.
    ``alpha = 0`` is unpenalised least squares, solved directly.
    """
    if gram is None and not design.is_sparse and not design.centred:
        # One centred copy serves every alpha; centring implicitly would
        # gather and centre columns again at each of them.
        design = design._replace(X=design.centred_dense(), centred=True)
    design = keep_stats(design)  # its norms: one pass over X for all alphas
    coef = coef_init
    for alpha in alphas:
        if alpha == 0:
            result = least_squares(design, positive=positive, max_iter=max_iter,
                                   tol=tol)
        else:
            result = coordinate_descent(
                design, alpha * l1_ratio, alpha * (1.0 - l1_ratio), coef_init=coef,
                positive=positive, max_iter=max_iter, tol=tol, gram=gram,
                gram_blocks=False, random=random, rng=rng,
            )
        coef = result.coef
        yield float(alpha), result


def convergence_message(n_bad, n_alphas, tol, max_iter, where="", precision=None):
    """Text of the ConvergenceWarning for a path with ``n_bad`` unconverged alphas.

    ``precision``: the dtype whose arithmetic stalled some of the gaps, if any
    (see ``CDResult.at_precision``).
    """
    return (
        f"Coordinate descent did not converge at {n_bad} of {n_alphas} alphas"
        f"{where}: the duality gap stayed above tol * ||y - mean(y)||^2 / n_samples "
        f"(tol={tol}) within max_iter={max_iter} passes."
        + (" Increase max_iter, standardize the features (e.g. StandardScaler), or "
           "use a larger tol or eps." if precision is None else
           precision_hint(precision))
    )


class PathResult(NamedTuple):
    """Outcome of :func:`enet_path` / :func:`lasso_path`.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The penalties, decreasing.
    coefs : ndarray of shape (n_features, n_alphas) or \
            (n_targets, n_features, n_alphas)
        Coefficients at each alpha (the layout of scikit-learn's ``enet_path``).
    dual_gaps : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Duality gap reached at each alpha, on the objective's scale.
    n_iters : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Passes of coordinate descent run at each alpha.
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercepts at each alpha (zeros when ``fit_intercept=False``).
    """

    alphas: np.ndarray
    coefs: np.ndarray
    dual_gaps: np.ndarray
    n_iters: np.ndarray
    intercepts: np.ndarray


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
              sample_weight=None, precompute="auto", max_iter=1000, tol=1e-4,
              coef_init=None, positive=False, selection="cyclic",
              random_state=None):
    r"""Elastic-net solutions along a decreasing grid of penalties, warm-started.

    At each ``alpha`` of the grid, minimises (with sample weights :math:`s`
    rescaled to sum to :math:`n`)

    .. math::

        \frac{1}{2n} \sum_i s_i (y_i - x_i^\top w - b)^2
        + \alpha \rho \|w\|_1 + \frac{\alpha (1 - \rho)}{2} \|w\|_2^2

    starting from the solution at the previous alpha. Each point equals, up to
    ``tol``, ``ElasticNet(alpha=alpha, l1_ratio=l1_ratio, ...)`` fitted alone.
    Each target is solved independently.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Sparse X is never densified.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    l1_ratio : float, default=0.5
        :math:`\rho`, in [0, 1]. With ``l1_ratio=0`` pass an explicit grid.
    eps : float, default=1e-3
        Length of an automatic path, in (0, 1): ``alpha_min = eps * alpha_max``.
    alphas : int or array-like of shape (n_alphas,), default=100
        An int: that many log-spaced values from ``alpha_max`` (see
        :func:`alpha_grid`) down to ``eps * alpha_max``. An array-like: these
        values, walked in decreasing order. (scikit-learn >= 1.7 convention.)
    fit_intercept : bool, default=True
        Fit an unpenalised intercept at every alpha.
    sample_weight : array-like of shape (n_samples,), default=None
    precompute : bool or 'auto', default='auto'
        Run on the Gram matrix, formed once for the whole path; 'auto' does so
        when ``n_samples >= 2 * n_features``.
    max_iter : int, default=1000
        Maximum passes of coordinate descent at each alpha.
    tol : float, default=1e-4
        At each alpha, stop once the duality gap is at most
        ``tol * ||y - mean(y)||^2 / n``.
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
        Starting point at the first alpha (zeros by default).
    positive : bool, default=False
    selection : {'cyclic', 'random'}, default='cyclic'
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection='random'``.

    Returns
    -------
    path : PathResult
        Named tuple ``(alphas, coefs, dual_gaps, n_iters, intercepts)``.

    See Also
    --------
    lasso_path : the case ``l1_ratio=1``.
    alpha_grid : the automatic grid.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.linear_model import enet_path
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> path = enet_path(X, y, l1_ratio=0.9, alphas=[0.01, 3.0, 0.1])
    >>> path.alphas
    array([3.  , 0.1 , 0.01])
    >>> np.round(path.coefs, 3)
    array([[0.   , 0.921, 0.992],
           [0.   , 0.   , 0.   ]])
    >>> bool(np.all(path.dual_gaps <= 1e-4 * np.var(y)))
    True
    """
    l1_ratio = check_real(l1_ratio, "l1_ratio", low=0, high=1)
    eps = check_real(eps, "eps", low=0, high=1, closed="neither")
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    precompute = check_precompute(precompute)
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_real(tol, "tol", low=0)
    positive = check_bool(positive, "positive")
    selection = check_choice(selection, "selection", {"cyclic", "random"})
    rng = check_random_state(random_state)

    X, y, sw = _check_path_data(X, y, sample_weight)
    grid = check_alphas(alphas, X=X, y=y, sample_weight=sw,
                        fit_intercept=fit_intercept, l1_ratio=l1_ratio, eps=eps)
    design = make_design(X, y, sw, fit_intercept)
    n_targets, n_features = design.y.shape[1], X.shape[1]
    if coef_init is None:
        coef0 = np.zeros((n_targets, n_features), dtype=X.dtype)
    else:
        coef0 = np.array(coef_init, dtype=X.dtype)
        if coef0.size != n_targets * n_features:
            raise InvalidParameterError(
                f"coef_init has shape {np.shape(coef_init)}, expected "
                f"({n_features},) or ({n_targets}, {n_features})."
            )
        coef0 = coef0.reshape(n_targets, n_features)

    steps = walk_path(design, l1_ratio, grid, coef_init=coef0,
                      gram=path_gram(precompute, design), positive=positive,
                      max_iter=max_iter, tol=tol, random=selection == "random",
                      rng=rng)
    results = [result for _, result in steps]
    n_bad = sum(not r.converged for r in results)
    if n_bad:
        stalled = all(r.at_precision for r in results if not r.converged)
        warnings.warn(convergence_message(n_bad, grid.size, tol, max_iter,
                                          precision=X.dtype if stalled else None),
                      ConvergenceWarning, stacklevel=2)

    coefs = np.stack([r.coef for r in results], axis=-1)  # (targets, features, a)
    gaps = np.stack([r.gap for r in results], axis=-1)
    n_iters = np.stack([r.n_iter for r in results], axis=-1)
    if fit_intercept:
        intercepts = design.y_offset[:, None] - np.einsum("tfa,f->ta", coefs,
                                                          design.X_offset)
    else:
        intercepts = np.zeros((n_targets, grid.size), dtype=X.dtype)
    if y.ndim == 1:
        coefs, gaps, n_iters, intercepts = coefs[0], gaps[0], n_iters[0], intercepts[0]
    return PathResult(grid, coefs, gaps, n_iters, intercepts.astype(X.dtype))


def lasso_path(X, y, *, eps=1e-3, alphas=100, fit_intercept=True,
               sample_weight=None, precompute="auto", max_iter=1000, tol=1e-4,
               coef_init=None, positive=False, selection="cyclic",
               random_state=None):
    r"""Lasso solutions along a decreasing grid of penalties, warm-started.

    At each ``alpha`` of the grid, minimises

    .. math::

        \frac{1}{2n} \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \|w\|_1

    :func:`enet_path` with ``l1_ratio=1``; see it for the parameters.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    eps : float, default=1e-3
    alphas : int or array-like of shape (n_alphas,), default=100
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,), default=None
    precompute : bool or 'auto', default='auto'
    max_iter : int, default=1000
    tol : float, default=1e-4
    coef_init : array-like of shape (n_features,) or (n_targets, n_features), \
            default=None
    positive : bool, default=False
    selection : {'cyclic', 'random'}, default='cyclic'
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    path : PathResult
        Named tuple ``(alphas, coefs, dual_gaps, n_iters, intercepts)``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg.linear_model import lasso_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = lasso_path(X, y, alphas=5)
    >>> path.coefs.shape
    (10, 5)
    >>> [int((path.coefs[:, k] != 0).sum()) for k in range(5)]
    [0, 4, 7, 9, 10]
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, alphas=alphas,
                     fit_intercept=fit_intercept, sample_weight=sample_weight,
                     precompute=precompute, max_iter=max_iter, tol=tol,
                     coef_init=coef_init, positive=positive, selection=selection,
                     random_state=random_state)
