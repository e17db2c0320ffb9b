"""ElasticNet and LassoRegressor: hyperparameters in, coordinate descent out."""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._base import (
    LinearModelMixin,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_sample_weight,
    design_stats,
    keep_stats,
    make_design,
    validate_fit_data,
)
from ._cd_solver import (
    SMALL_P,
    GramProblem,
    coordinate_descent,
    gram_problem,
    precision_hint,
)
from ._least_squares import least_squares
from ._path_early_stopping import (
    EARLY_STOPPING_ATTRS,
    check_early_stopping_params,
    enet_early_stopping,
)
from ._sketch import first_set, prefetched

__all__ = ["ElasticNet", "LassoRegressor"]


class _CoordinateDescentRegressor(LinearModelMixin, BaseEstimator):
    """Fit logic shared by ElasticNet and LassoRegressor."""

    def _l1_ratio(self):
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse input is converted to CSC once, never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets; each column is fitted independently.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled internally to sum to ``n_samples``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        alpha = check_real(self.alpha, "alpha", low=0)
        l1_ratio = self._l1_ratio()
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        max_iter = check_int(self.max_iter, "max_iter", low=1)
        tol = check_real(self.tol, "tol", low=0)
        positive = check_bool(self.positive, "positive")
        warm_start = check_bool(self.warm_start, "warm_start")
        check_bool(self.copy_X, "copy_X")
        selection = check_choice(self.selection, "selection", {"cyclic", "random"})
        early_stopping = check_bool(self.early_stopping, "early_stopping")
        validation_fraction, n_iter_no_change, n_alphas = check_early_stopping_params(
            self.validation_fraction, self.n_iter_no_change, self.n_alphas)
        precompute = self.precompute
        if isinstance(precompute, str):
            check_choice(precompute, "precompute", {"auto"})
        elif not isinstance(precompute, (bool, np.bool_)) and not hasattr(
            precompute, "shape"
        ):
            raise ValueError(
                "precompute must be True, False, 'auto' or a Gram matrix of shape "
                f"(n_features, n_features), got {precompute!r}."
            )

        # X's finiteness is checked by design_stats, in the pass that takes its
        # means and norms on tall data
        X, y = validate_fit_data(self, X, y, check_finite=False)
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, X, X.dtype)
        if sw is not None:
            sw *= n_samples / sw.sum()
        first = None
        if (alpha > 0 and l1_ratio > 0 and isinstance(precompute, str)
                and not early_stopping and sw is None and fit_intercept
                and not (warm_start and hasattr(self, "coef_"))
                and not sp.issparse(X) and X.flags.c_contiguous
                and n_features > SMALL_P and (y.ndim == 1 or y.shape[1] == 1)):
            first = first_set(X, np.ravel(y), alpha * l1_ratio,
                              alpha * (1.0 - l1_ratio), positive, max_iter,
                              coordinate_descent)
        X_offset, sq_norms, xty, columns = design_stats(
            X, y, sw, fit_intercept, type(self).__name__,
            None if first is None else (first.features, first.offset))
        design = keep_stats(make_design(X, y, sw, fit_intercept, X_offset),
                            sq_norms, None if xty is None else xty[None, :],
                            None if first is None else
                            prefetched(first, columns, X_offset, sq_norms))
        n_targets = design.y.shape[1]
        coef_init = self._coef_init(warm_start, n_targets, n_features, X.dtype)
        rng = check_random_state(self.random_state)

        if early_stopping:
            # The path picks alpha on a split; the code below refits on all data,
            # starting from the split's solution there.
            stop = enet_early_stopping(
                X, y, sw, alpha=alpha, l1_ratio=l1_ratio, n_alphas=n_alphas,
                validation_fraction=validation_fraction,
                n_iter_no_change=n_iter_no_change, tol=tol,
                fit_intercept=fit_intercept, precompute=precompute,
                max_iter=max_iter, positive=positive,
                random=selection == "random", rng=rng,
            )
            alpha, coef_init = stop.alpha, stop.coef
            self.alpha_ = stop.alpha
            self.alphas_ = stop.alphas
            self.validation_scores_ = stop.scores
            self.best_validation_score_ = stop.best_score

        if alpha == 0:
            warnings.warn(
                "alpha=0 fits ordinary least squares with no penalty: "
                "sklearn.linear_model.LinearRegression serves that better. "
                "Solving it directly by least squares.",
                UserWarning,
                stacklevel=2,
            )
            result = least_squares(design, positive=positive, max_iter=max_iter,
                                   tol=tol)
        else:
            result = coordinate_descent(
                design, alpha * l1_ratio, alpha * (1.0 - l1_ratio),
                coef_init=coef_init, positive=positive, max_iter=max_iter, tol=tol,
                gram=self._gram(precompute, design),
                gram_blocks=isinstance(precompute, str), random=selection == "random",
                rng=rng,
            )
        if not result.converged:
            worst = int(np.argmax(result.gap - result.gap_tol))
            where = f" (target {worst})" if n_targets > 1 else ""
            warnings.warn(
                f"Coordinate descent did not converge{where}: duality gap "
                f"{result.gap[worst]:.3e} > tol * ||y - mean(y)||^2 / n_samples = "
                f"{result.gap_tol[worst]:.3e} (tol={self.tol}) within "
                f"max_iter={max_iter} passes."
                + (precision_hint(X.dtype) if result.at_precision else
                   " Increase max_iter, standardize the features (e.g. "
                   "StandardScaler), or use a larger tol or alpha."),
                ConvergenceWarning,
                stacklevel=2,
            )

        single = y.ndim == 1
        self._set_intercept(result.coef, design, fit_intercept, single)
        self.n_iter_ = int(result.n_iter[0]) if single else result.n_iter
        self.dual_gap_ = float(result.gap[0]) if single else result.gap
        return self

    def _coef_init(self, warm_start, n_targets, n_features, dtype):
        if not (warm_start and hasattr(self, "coef_")):
            return np.zeros((n_targets, n_features), dtype=dtype)
        coef = np.asarray(self.coef_).reshape(-1, np.shape(self.coef_)[-1])
        if coef.shape != (n_targets, n_features):
            raise ValueError(
                f"warm_start=True but the previous coef_ has shape {coef.shape}, "
                f"while X and y need ({n_targets}, {n_features}). Set "
                "warm_start=False to fit from scratch."
            )
        return coef.astype(dtype)

    def _gram(self, precompute, design):
        """The Gram statistics to run on, or None to run on X."""
        if isinstance(precompute, str):  # 'auto': the solver picks Gram blocks
            return None
        if isinstance(precompute, (bool, np.bool_)):
            return gram_problem(design) if precompute else None
        return self._user_gram(precompute, design)

    @staticmethod
    def _user_gram(precompute, design):
        dtype = design.X.dtype
        Q = np.array(precompute.toarray() if sp.issparse(precompute) else precompute,
                     dtype=dtype, order="C", copy=True)
        n_features = design.X.shape[1]
        if Q.shape != (n_features, n_features):
            raise ValueError(
                f"precompute Gram matrix has shape {Q.shape}, expected "
                f"({n_features}, {n_features})."
            )
        if not np.all(np.isfinite(Q)):
            raise ValueError("precompute Gram matrix contains NaN or infinity.")
        expected = design.column_sq_norms()
        rtol = 1e-4 if dtype == np.float32 else 1e-7
        if not np.allclose(np.diag(Q), expected, rtol=rtol,
                           atol=rtol * max(expected.max(initial=0), 1e-300)):
            raise ValueError(
                "precompute Gram matrix does not match X.T @ X of the data the "
                "solver uses (centred when fit_intercept=True, rows scaled by "
                "sqrt(sample_weight)). Pass precompute=True to let the estimator "
                "compute it."
            )
        q = design.X.T @ design.y
        if design.is_sparse:
            q = q - np.outer(design.X_offset, design.row_scale @ design.y)
        yy = np.einsum("ij,ij->j", design.y, design.y).astype(dtype)
        return GramProblem(Q, np.asfortranarray(q, dtype=dtype), yy)

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy CSR matrix."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))


# The sections ElasticNet and LassoRegressor share; {l1_ratio} and {needs}
# take what differs. (Braces of the text itself are doubled.)
_CD_SECTIONS = """
    Coefficients that the L1 penalty cuts off are exact zeros. To keep exactly
    the non-zero ones with :class:`~sklearn.feature_selection.SelectFromModel`,
    pass ``threshold=np.finfo(float).tiny``: its default threshold for this
    estimator is {threshold}, not zero.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength, >= 0. ``alpha=0`` is solved as unpenalised least
        squares, with a warning pointing to ``LinearRegression``.
{l1_ratio}    fit_intercept : bool, default=True
        Fit an unpenalised intercept. Sparse X is centred implicitly.
    precompute : 'auto', bool or ndarray of shape (n_features, n_features), \\
            default='auto'
        Run on the Gram matrix ``X^T X`` (of the centred, weighted data): cheaper
        per pass when ``n_samples >> n_features``. 'auto' lets the solver use
        Gram blocks of the working set on dense data when they are cheaper;
        True computes the full Gram matrix upfront; False never uses one.
    max_iter : int, default=1000
        Maximum number of passes of coordinate descent (see ``n_iter_``).
    copy_X : bool, default=True
        Kept for compatibility: skreg never writes into the caller's X.
    tol : float, default=1e-4
        Stop once the duality gap is at most ``tol * ||y - mean(y)||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection='random'`` and the
        validation split when ``early_stopping=True``.
    selection : {{'cyclic', 'random'}}, default='cyclic'
        Visit the coordinates in order, or at random (with replacement).
    early_stopping : bool, default=False
        Choose ``alpha`` on held-out data: follow the regularization path on a
        training split from ``alpha_max`` (where every coefficient is zero) down
        to ``alpha``, the least regularization allowed, scoring each step by
        the R² of a held-out split; stop once the score has not improved by
        more than ``tol`` for ``n_iter_no_change`` steps, and refit on all the
        data at the best step's alpha, stored as ``alpha_``, starting from the
        path's solution there (``warm_start`` does not apply). Needs
        {needs}. With False, ``alpha`` is used as given.
    validation_fraction : float, default=0.1
        Share of the samples held out for early stopping, in (0, 1); the split
        is drawn from ``random_state`` and both parts need at least 2 samples.
    n_iter_no_change : int, default=5
        Steps without an improvement larger than ``tol`` of the validation
        score after which early stopping ends the path.
    n_alphas : int, default=100
        Number of log-spaced alphas of the early-stopping path, from
        ``alpha_max`` (of the training split) down to ``alpha``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, in the dtype of X (float32 stays float32); exact zeros
        where the L1 penalty cut them off.
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or ndarray of shape (n_targets,)
        Passes of coordinate descent run (at least 1), each over the features
        being optimised: all of them on small problems, else the working set
        (the support and the features closest to entering it). ``max_iter``
        bounds this count. On tall dense data a fit on every 16th row picks
        the first working set; its passes are not counted. For ``alpha=0``,
        iterations of the least-squares solver.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap reached, on the objective's scale.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when X has string feature names.
""" + EARLY_STOPPING_ATTRS.replace("{", "{{").replace("}", "}}")


class ElasticNet(_CoordinateDescentRegressor):
    __doc__ = r"""Linear regression with L1 and L2 penalties (coordinate descent).

    Minimises, with sample weights :math:`s` rescaled to sum to :math:`n`:

    .. math::

        \frac{1}{2n} \sum_i s_i (y_i - x_i^\top w - b)^2
        + \alpha \rho \|w\|_1 + \frac{\alpha (1 - \rho)}{2} \|w\|_2^2

    with :math:`\rho` = ``l1_ratio``: the objective of scikit-learn's
    ``ElasticNet``, so its grids and results carry over.
""" + _CD_SECTIONS.format(
        threshold='"mean"',
        l1_ratio="""\
    l1_ratio : float, default=0.5
        Mix of the penalties, in [0, 1]: 1 is the lasso, 0 is ridge.
""",
        needs="``alpha > 0`` and ``l1_ratio > 0``") + """
    See Also
    --------
    LassoRegressor : the special case ``l1_ratio=1``.

    Examples
    --------
    >>> import numpy as np
    >>> from skreg import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> reg = ElasticNet(alpha=0.1, l1_ratio=0.9).fit(X, y)
    >>> np.round(reg.coef_, 3)
    array([0.921, 0.   ])
    >>> bool(reg.dual_gap_ <= 1e-4 * np.var(y))
    True
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True,
                 precompute="auto", max_iter=1000, copy_X=True, tol=1e-4,
                 warm_start=False, positive=False, random_state=None,
                 selection="cyclic", early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=5, n_alphas=100):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_alphas = n_alphas

    def _l1_ratio(self):
        return check_real(self.l1_ratio, "l1_ratio", low=0, high=1)


class LassoRegressor(_CoordinateDescentRegressor):
    __doc__ = r"""Linear regression with an L1 penalty (coordinate descent).

    Minimises, with sample weights :math:`s` rescaled to sum to :math:`n`:

    .. math::

        \frac{1}{2n} \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \|w\|_1

    the objective of scikit-learn's ``Lasso`` (``ElasticNet`` with
    ``l1_ratio=1``).
""" + _CD_SECTIONS.format(threshold="1e-5", l1_ratio="", needs="``alpha > 0``") + """
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.feature_selection import SelectFromModel
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skreg import LassoRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> lasso = LassoRegressor(alpha=0.5).fit(X, y)
    >>> int(np.sum(lasso.coef_ != 0))
    4
    >>> pipe = make_pipeline(
    ...     SelectFromModel(LassoRegressor(alpha=0.5), threshold=np.finfo(float).tiny),
    ...     LinearRegression(),
    ... ).fit(X, y)
    >>> int(pipe[0].get_support().sum())
    4
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute="auto",
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False,
                 positive=False, random_state=None, selection="cyclic",
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=5,
                 n_alphas=100):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_alphas = n_alphas

    def _l1_ratio(self):
        return 1.0
