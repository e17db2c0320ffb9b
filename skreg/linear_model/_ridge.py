"""RidgeRegressor: L2-penalised least squares, exact and multi-target."""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from .._validation import InvalidParameterError
from ._base import (
    Design,
    LinearModelMixin,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_sample_weight,
    make_design,
    validate_fit_data,
    weighted_offsets,
)
from ._path_early_stopping import EARLY_STOPPING_ATTRS, check_early_stopping_params
from ._ridge_path import ridge_early_stopping
from ._ridge_solvers import (
    RidgeSolution,
    dense_gram,
    gram_spectrum,
    solve_cholesky,
    solve_cholesky_gram,
    solve_eigh,
    solve_lbfgs,
    solve_lsqr,
    solve_sparse_cg,
    solve_svd,
    spectral_coefs,
)

__all__ = ["RidgeRegressor"]

_SOLVERS = ("auto", "svd", "cholesky", "eigh", "lsqr", "sparse_cg", "lbfgs")
# 'auto' on sparse X factors the Gram / kernel matrix only when it is this
# small: beyond it, forming X^T X with a sparse product and factoring it costs
# 10-100x the few dozen sparse products of a conjugate-gradient solve.
_SPARSE_DIRECT_MAX = 100
# With this many distinct per-target alphas, one eigendecomposition is cheaper
# than one Cholesky factorisation per alpha.
_EIGH_MIN_ALPHAS = 8


def _dense_design(X, y, sample_weight, fit_intercept):
    """``make_design`` for dense X in one pass over X, always in float64.

    Same :class:`Design` as ``make_design`` (weighted centring, rows scaled by
    ``sqrt(s)``), but: float32 X is upcast while it is centred instead of in
    a separate copy, X keeps its memory layout (no C -> F transposition; the
    Gram / kernel products do not need F order), the centring writes into
    the single copy in place, and unit weights skip the row scaling.
    """
    n_samples = X.shape[0]
    Y = np.asarray(y, dtype=np.float64).reshape(n_samples, -1)
    if sample_weight is None:
        row_scale = np.ones(n_samples)
    else:
        row_scale = np.sqrt(sample_weight)
    X_offset, y_offset = weighted_offsets(X, Y, sample_weight, fit_intercept,
                                          np.float64)
    if fit_intercept:
        Xd = np.subtract(X, X_offset, dtype=np.float64)
    else:
        Xd = np.asarray(X, dtype=np.float64)
        if sample_weight is not None and Xd is X:
            Xd = Xd.copy()
    Yd = Y - y_offset
    if sample_weight is not None:
        Xd *= row_scale[:, None]
        Yd *= row_scale[:, None]
    return Design(Xd, Yd, X_offset, y_offset, row_scale)


def _build_design(X, y, sample_weight, fit_intercept):
    """The float64 :class:`Design` every ridge route starts from (see Notes)."""
    if sp.issparse(X):
        return make_design(X.astype(np.float64, copy=False),
                           y.astype(np.float64, copy=False), sample_weight,
                           fit_intercept)
    return _dense_design(X, y, sample_weight, fit_intercept)


def _check_alpha(alpha, n_targets):
    """Validate ``alpha``; return float64 ndarray of shape (n_targets,)."""
    if np.ndim(alpha) == 0:
        return np.full(n_targets, check_real(alpha, "alpha", low=0))
    try:
        arr = np.asarray(alpha, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"alpha must be a non-negative number or a 1-D array of them, "
            f"got {alpha!r}."
        ) from exc
    if arr.ndim != 1:
        raise InvalidParameterError(
            f"alpha must be a scalar or 1-D, got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InvalidParameterError(
            f"alpha must contain finite values >= 0, got {alpha!r}."
        )
    if arr.shape[0] == 1:
        return np.full(n_targets, arr[0])
    if arr.shape[0] != n_targets:
        raise InvalidParameterError(
            f"alpha has {arr.shape[0]} entries but y has {n_targets} targets; "
            "pass one alpha per target or a single alpha."
        )
    return arr


def _resolve_solver(solver, *, positive, is_sparse, shape, alpha):
    """Validate ``solver`` against the data and pick the route for 'auto'."""
    if solver in ("sag", "saga"):
        raise ValueError(
            f"solver={solver!r} (stochastic average gradient) is not available in "
            "skreg; use 'auto', 'cholesky' or 'eigh' (exact) or 'sparse_cg' / "
            "'lsqr' (iterative, for large sparse X)."
        )
    check_choice(solver, "solver", _SOLVERS)
    if positive and solver not in ("auto", "lbfgs"):
        raise ValueError(
            f"positive=True needs solver='auto' or 'lbfgs' (a bound-constrained "
            f"route); solver={solver!r} cannot enforce coef >= 0."
        )
    if is_sparse and solver == "svd":
        raise ValueError(
            "solver='svd' needs dense X but X is sparse; use solver='auto', "
            "'cholesky' or 'eigh' (exact on sparse X) or 'lsqr' / 'sparse_cg'."
        )
    if solver != "auto":
        return solver
    if positive:
        return "lbfgs"
    if is_sparse and min(shape) > _SPARSE_DIRECT_MAX:
        return "sparse_cg"
    if np.unique(alpha).shape[0] >= _EIGH_MIN_ALPHAS:
        return "eigh"
    return "cholesky"


class RidgeRegressor(LinearModelMixin, BaseEstimator):
    __doc__ = r"""Linear least squares with an L2 penalty (scikit-learn's Ridge scale).

    For each target, minimises

    .. math::

        \sum_{i=1}^{n} s_i \, (y_i - x_i^\top w - b)^2 + \alpha \, \lVert w \rVert_2^2

    over ``w`` (and the unpenalised intercept ``b`` when ``fit_intercept``),
    with sample weights :math:`s_i` (1 by default) *not* normalised: as in
    :class:`sklearn.linear_model.Ridge`, weights ``2 s`` with ``alpha`` equal
    weights ``s`` with ``alpha / 2``. For unit weights this is
    ``ElasticNet(alpha=alpha / n_samples, l1_ratio=0)``.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        L2 penalty strength, ``>= 0``. An array gives one penalty per target.
    fit_intercept : bool, default=True
        Fit the intercept ``b``. Sparse ``X`` is centred implicitly, never
        densified.
    copy_X : bool, default=True
        Accepted for compatibility with scikit-learn. skreg never writes into
        the caller's ``X``, whatever its value.
    max_iter : int or None, default=None
        Iteration limit of the iterative solvers ('lsqr', 'sparse_cg',
        'lbfgs'); ``None`` uses each solver's default (scipy's for 'lsqr' and
        'sparse_cg', 15000 for 'lbfgs'). Ignored by the direct solvers.
    tol : float, default=1e-4
        Stopping tolerance of the iterative solvers, with scikit-learn's
        meaning: ``atol = btol = tol`` for 'lsqr', the relative residual for
        'sparse_cg', ``gtol`` for 'lbfgs'. Ignored by the direct solvers.
    solver : {'auto', 'svd', 'cholesky', 'eigh', 'lsqr', 'sparse_cg', 'lbfgs'}, \
            default='auto'
        - 'auto': ``positive=True`` -> 'lbfgs'; sparse ``X`` with both
          dimensions above 100 -> 'sparse_cg' (iterative, to ``tol``: factoring
          the Gram matrix of sparse data costs far more); 8 or more distinct
          per-target alphas -> 'eigh'; otherwise 'cholesky' (exact). A named
          solver is never replaced.
        - 'svd': SVD of the centred ``X``; the most robust; dense ``X`` only.
        - 'cholesky': Cholesky factorisation of ``X^T X + alpha I`` or, when
          ``n_features > n_samples``, of the kernel ``X X^T + alpha I``
          (dual form). Exact on dense and sparse ``X``.
        - 'eigh': one eigendecomposition of the same Gram / kernel matrix,
          shared by all per-target alphas. Dense and sparse ``X``.
        - 'lsqr': scipy's LSQR on the (implicitly centred) design.
        - 'sparse_cg': conjugate gradients on the normal equations (dual
          equations when ``n_features > n_samples``).
        - 'lbfgs': L-BFGS-B; the only route for ``positive=True``, where the
          support it finds is then refined by an exact active-set solve.
          Unlike scikit-learn, also accepted with ``positive=False``.

        With ``alpha = 0`` and a rank-deficient ``X``, the direct solvers
        return the minimum-norm least-squares solution.
    positive : bool, default=False
        Constrain the coefficients to be ``>= 0`` (solver 'auto' or 'lbfgs').
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split of ``early_stopping=True``; every solver is
        deterministic, so it is otherwise unused.
    early_stopping : bool, default=False
        Choose ``alpha`` on held-out data: fit a path on a training split,
        from a large alpha (100 times the largest eigenvalue of the split's
        centred Gram matrix, where every direction is shrunk below 1/101 of
        its least-squares size) down to ``alpha`` (the least regularization
        allowed, ``> 0``), score each step by the R² of the held-out
        ``validation_fraction``, stop once that score has not improved by more
        than ``tol`` for ``n_iter_no_change`` steps, and refit on all the data
        at the best step's alpha, stored as ``alpha_``. One eigendecomposition
        of the training split serves the whole path, whatever ``solver`` (used
        for the refit). Alphas are in full-data units: a step at ``a`` fits the
        split at ``a * n_train / n_samples`` (the ratio of the weight sums
        when weighted), which balances its data term as ``a`` balances the
        full data's. Needs a scalar ``alpha`` and ``positive=False``.
    validation_fraction : float, default=0.1
        Share of the samples held out for early stopping, in (0, 1); the split
        is drawn from ``random_state``.
    n_iter_no_change : int, default=5
        Steps without an improvement larger than ``tol`` of the validation
        score after which early stopping ends the path.
    n_alphas : int, default=100
        Number of log-spaced alphas of the early-stopping path.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weights, in ``X``'s dtype.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept, 0 when ``fit_intercept=False``.
    n_iter_ : ndarray of shape (n_targets,)
        Iterations per target; 1 for the direct solvers.
    solver_ : str
        The solver used (what 'auto' resolved to).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has string column names.
""" + EARLY_STOPPING_ATTRS + r"""
    Notes
    -----
    float32 ``X`` gives float32 ``coef_`` and ``intercept_``, but the fit is
    computed in float64: the Gram / kernel products square the condition
    number of ``X``, and in float32 that alone would lose agreement with the
    float64 solution well before the sixth digit.

    Tall dense ``X`` with 'cholesky' or 'eigh' is never copied: the Gram
    matrix of the centred, weighted rows is accumulated block by block. The
    decompositions behind 'svd' and 'eigh' are exposed as pure functions in
    ``skreg.linear_model._ridge_solvers`` (``svd_decompose``,
    ``eigh_decompose``, ``gram_spectrum`` and ``spectral_coefs``) so that one
    factorisation serves a whole grid of alphas.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg.linear_model._ridge import RidgeRegressor
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 3.0]])
    >>> y = np.array([0.0, 1.0, 2.5])
    >>> reg = RidgeRegressor(alpha=0.1).fit(X, y)
    >>> reg.solver_
    'cholesky'
    >>> print(np.round(reg.coef_, 4), round(float(reg.intercept_), 4))
    [0.4125 0.5446] 0.0281
    >>> print(np.round(reg.predict([[1.0, 2.0]]), 4))
    [1.5297]
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        solver="auto",
        positive=False,
        random_state=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        n_alphas=100,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_alphas = n_alphas

    def fit(self, X, y, sample_weight=None):
        """Fit the ridge model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; never modified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights ``s_i`` (not normalised; a float weights
            every sample equally, which rescales the data term).

        Returns
        -------
        self : RidgeRegressor
            The fitted estimator.
        """
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.copy_X, "copy_X")
        positive = check_bool(self.positive, "positive")
        tol = check_real(self.tol, "tol", low=0)
        max_iter = (None if self.max_iter is None
                    else check_int(self.max_iter, "max_iter", low=1))
        if not isinstance(self.solver, str):
            check_choice(self.solver, "solver", _SOLVERS)
        early_stopping = check_bool(self.early_stopping, "early_stopping")
        validation_fraction, n_iter_no_change, n_alphas = check_early_stopping_params(
            self.validation_fraction, self.n_iter_no_change, self.n_alphas)

        # Keep dense X's layout: _dense_design makes the one copy it needs.
        X, y = validate_fit_data(self, X, y, order=None)
        out_dtype = X.dtype
        single_target = y.ndim == 1
        n_targets = 1 if single_target else y.shape[1]
        alpha = _check_alpha(self.alpha, n_targets)
        solver = _resolve_solver(self.solver, positive=positive,
                                 is_sparse=sp.issparse(X), shape=X.shape,
                                 alpha=alpha)

        # scikit-learn's Ridge does not normalise weights: a constant one counts.
        sw = check_sample_weight(sample_weight, X, np.float64, normalised=False)
        if early_stopping:
            # Choose alpha on a validation split; the code below refits there.
            walk = ridge_early_stopping(
                X, y, sw, alpha=alpha, positive=positive, n_alphas=n_alphas,
                validation_fraction=validation_fraction,
                n_iter_no_change=n_iter_no_change, tol=tol,
                fit_intercept=fit_intercept,
                rng=check_random_state(self.random_state),
            )
            self.alpha_ = walk.alpha
            self.alphas_ = walk.alphas
            self.validation_scores_ = walk.scores
            self.best_validation_score_ = walk.best_score
            alpha = np.full(n_targets, walk.alpha)
            solver = _resolve_solver(self.solver, positive=positive,
                                     is_sparse=sp.issparse(X), shape=X.shape,
                                     alpha=alpha)

        if (solver in ("cholesky", "eigh") and not sp.issparse(X)
                and X.shape[1] <= X.shape[0]):
            # Tall dense: only the Gram matrix is needed, streamed from X.
            # (Wide X gains nothing from streaming: the kernel and w = Xc^T c
            # both need the centred columns, so one centred copy is cheaper.)
            stats = dense_gram(X, y, sw, fit_intercept)
            design = Design(None, None, stats.X_offset, stats.y_offset, None)
            if solver == "cholesky":
                sol = solve_cholesky_gram(stats.gram, stats.XtY, alpha)
            else:
                spectrum = gram_spectrum(stats.gram, stats.XtY)
                sol = RidgeSolution(spectral_coefs(spectrum, alpha[None, :])[0],
                                    np.ones(n_targets, dtype=np.int64))
        else:
            design = _build_design(X, y, sw, fit_intercept)
            sol = self._solve(solver, design, alpha, tol, max_iter, positive)
        if sol.unconverged:
            warnings.warn(
                f"RidgeRegressor: solver={solver!r} did not converge within "
                f"max_iter={max_iter} for target(s) {list(sol.unconverged)} at "
                f"tol={self.tol}; increase max_iter, raise tol, or use an exact "
                "solver ('cholesky', 'eigh').",
                ConvergenceWarning,
                stacklevel=2,
            )

        self._set_intercept(sol.coef, design, fit_intercept, single_target)
        self.coef_ = np.asarray(self.coef_, dtype=out_dtype)
        if single_target:
            self.intercept_ = out_dtype.type(self.intercept_)
        else:
            self.intercept_ = np.asarray(self.intercept_, dtype=out_dtype)
        self.n_iter_ = sol.n_iter
        self.solver_ = solver
        return self

    @staticmethod
    def _solve(solver, design, alpha, tol, max_iter, positive):
        if solver == "svd":
            return solve_svd(design, alpha)
        if solver == "cholesky":
            return solve_cholesky(design, alpha)
        if solver == "eigh":
            return solve_eigh(design, alpha)
        if solver == "lsqr":
            return solve_lsqr(design, alpha, tol=tol, max_iter=max_iter)
        if solver == "sparse_cg":
            return solve_sparse_cg(design, alpha, tol=tol, max_iter=max_iter)
        return solve_lbfgs(design, alpha, tol=tol, max_iter=max_iter,
                           positive=positive)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # 'svd' factors the dense design; every other route takes sparse X.
        tags.input_tags.sparse = self.solver != "svd"
        return tags
