"""LassoRegressorCV and ElasticNetCV: k-fold cross-validation along the path.

Each fold builds the design of its training part once and walks the whole
alpha grid with warm starts (for every ``l1_ratio``), scoring every alpha on its
held-out part; folds run in parallel through joblib, so any joblib backend
(threads, processes, a Dask cluster) runs them. The grid is computed once on
all the data, so that every fold shares it.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from .._validation import InvalidParameterError
from ._base import (
    LinearModelMixin,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_sample_weight,
    validate_fit_data,
)
from ._cv_folds import fold_mse, full_gram_stats, select_alpha
from ._elastic_net import ElasticNet
from ._path import (
    check_alphas,
    check_precompute,
    convergence_message,
    use_gram,
)

__all__ = ["ElasticNetCV", "LassoRegressorCV"]

_SEED_MAX = np.iinfo(np.int32).max


class _PathCV(LinearModelMixin, BaseEstimator):
    """Fit logic shared by LassoRegressorCV and ElasticNetCV."""

    def _l1_ratios(self):
        raise NotImplementedError

    def fit(self, X, y, sample_weight=None):
        """Choose alpha by k-fold cross-validation, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Sparse input is never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets; one alpha is chosen for all of them (by their mean MSE).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: each fold's training part is rescaled to sum
            to its size, and its held-out MSE is weighted by them.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        l1_ratios, scalar_l1 = self._l1_ratios()
        eps = check_real(self.eps, "eps", low=0, high=1, closed="neither")
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        precompute = check_precompute(self.precompute)
        max_iter = check_int(self.max_iter, "max_iter", low=1)
        tol = check_real(self.tol, "tol", low=0)
        check_bool(self.copy_X, "copy_X")
        positive = check_bool(self.positive, "positive")
        selection = check_choice(self.selection, "selection", {"cyclic", "random"})
        rule = check_choice(self.selection_rule, "selection_rule", {"min", "1se"})
        if self.n_jobs is not None:
            check_int(self.n_jobs, "n_jobs")

        X, y = validate_fit_data(self, X, y)
        n_samples = X.shape[0]
        sw = check_sample_weight(sample_weight, X, X.dtype)
        if sw is not None:
            sw *= n_samples / sw.sum()
        rng = check_random_state(self.random_state)

        grids = np.stack([
            check_alphas(self.alphas, X=X, y=y, sample_weight=sw,
                         fit_intercept=fit_intercept, l1_ratio=l1_ratio, eps=eps)
            for l1_ratio in l1_ratios
        ])
        folds = list(check_cv(self.cv).split(X, y))
        if rule == "1se" and len(folds) < 2:
            raise InvalidParameterError(
                "selection_rule='1se' needs at least 2 cross-validation folds to "
                f"estimate a standard error; cv gave {len(folds)}."
            )
        random = selection == "random"
        seeds = rng.randint(1, _SEED_MAX, size=len(folds))
        full_gram = None
        n_train_max = max(train.size for train, _ in folds)
        if not sp.issparse(X) and use_gram(precompute, n_train_max, X.shape[1]):
            full_gram = full_gram_stats(X, y.reshape(n_samples, -1), sw,
                                        fit_intercept)
        # Threads suffice (the kernels release the GIL) and share X for free;
        # a parallel_config(backend=...) context, e.g. Dask, overrides the hint.
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
            delayed(fold_mse)(
                X, y, sw, train, test, l1_ratios, grids, fit_intercept=fit_intercept,
                precompute=precompute, max_iter=max_iter, tol=tol, positive=positive,
                random=random, seed=seed, full_gram=full_gram,
            )
            for (train, test), seed in zip(folds, seeds, strict=True)
        )
        mse_path = np.stack([mse for mse, _ in out], axis=-1)
        n_bad = sum(bad for _, bad in out)
        if n_bad:
            warnings.warn(
                convergence_message(n_bad, grids.size * len(folds), tol, max_iter,
                                    " (over all folds)"),
                ConvergenceWarning, stacklevel=2,
            )

        i_l1, i_alpha = select_alpha(mse_path, rule)
        self.alpha_ = float(grids[i_l1, i_alpha])
        l1_ratio = l1_ratios[i_l1]
        model = ElasticNet(
            alpha=self.alpha_, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
            precompute=use_gram(precompute, *X.shape), max_iter=max_iter, tol=tol,
            positive=positive, random_state=rng, selection=selection,
        )
        model.fit(X, y, sample_weight=sw)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        if scalar_l1:
            self.alphas_, self.mse_path_ = grids[0], mse_path[0]
        else:
            self.alphas_, self.mse_path_ = grids, mse_path
        self._set_l1_ratio(l1_ratio)
        return self

    def _set_l1_ratio(self, l1_ratio):
        pass


_COMMON_PARAMS = """\
    eps : float, default=1e-3
        Length of the automatic path, in (0, 1): ``alpha_min = eps * alpha_max``.
    alphas : int or array-like of shape (n_alphas,), default=100
        An int: that many log-spaced values from ``alpha_max`` (the smallest
        alpha zeroing every coefficient, computed on all the data with the
        sample weights{per_l1}) down to ``eps * alpha_max``. An array-like:
        these values, walked in decreasing order. (scikit-learn >= 1.7's
        convention; there is no ``n_alphas``.)
    fit_intercept : bool, default=True
    precompute : bool or 'auto', default='auto'
        Run each fold's path on its Gram matrix, formed once per fold, and the
        final refit on the Gram matrix of all the data; 'auto' does so when
        there are at least twice as many samples as features.
    max_iter : int, default=1000
        Maximum passes of coordinate descent at each alpha.
    tol : float, default=1e-4
        At each alpha, stop once the duality gap is at most
        ``tol * ||y - mean(y)||^2 / n``.
    copy_X : bool, default=True
        Kept for compatibility: skreg never writes into the caller's X.
    cv : int, cross-validation generator or iterable, default=None
        None for 5-fold, an int for that many folds
        (:class:`~sklearn.model_selection.KFold`, not shuffled), a splitter, or
        an iterable of (train, test) index arrays.
    verbose : int, default=0
        Verbosity of :class:`joblib.Parallel`.
    n_jobs : int, default=None
        Folds run in parallel (threads by default: the solver releases the
        GIL). None means 1 unless in a :func:`joblib.parallel_config` context,
        which also chooses the backend (processes, a Dask cluster, ...).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order when ``selection='random'``; it does not
        shuffle the folds (pass a shuffling splitter as ``cv`` for that).
    selection : {{'cyclic', 'random'}}, default='cyclic'
        Order in which the solver visits the coordinates.
    selection_rule : {{'min', '1se'}}, default='min'
        'min' keeps the alpha with the smallest mean held-out MSE. '1se'
        (glmnet's ``lambda.1se``) keeps the largest alpha whose mean MSE is
        within one standard error (the folds' standard deviation over
        ``sqrt(n_folds)``) of that minimum: a sparser model, as good within
        the noise of cross-validation.{rule_l1}
"""

_COMMON_ATTRS = """\
    alpha_ : float
        The alpha chosen.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients refitted on all the data at ``alpha_``.
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap of the refit.
    n_iter_ : int or ndarray of shape (n_targets,)
        Passes of coordinate descent run by the refit.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when X has string feature names.
"""


class LassoRegressorCV(_PathCV):
    __doc__ = r"""Lasso with alpha chosen by k-fold cross-validation along the path.

    For each alpha of a decreasing grid, minimises (with sample weights
    :math:`s` rescaled to sum to :math:`n`)

    .. math::

        \frac{{1}}{{2n}} \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \|w\|_1

    on the training part of each fold, warm-starting each alpha from the
    previous one, and scores it by the held-out mean squared error; then refits
    :class:`LassoRegressor` on all the data at the chosen ``alpha_``. Parameters
    and attributes are those of scikit-learn's ``LassoCV``, plus
    ``selection_rule``.

    Parameters
    ----------
{params}
    Attributes
    ----------
{attrs}    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared error of each fold at each alpha (averaged over
        targets).

    See Also
    --------
    ElasticNetCV : with an L2 part, and a search over ``l1_ratio``.
    lasso_path : the path on one data set.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg import LassoRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = LassoRegressorCV(alphas=30).fit(X, y)
    >>> reg.mse_path_.shape
    (30, 5)
    >>> bool(reg.alphas_[-1] <= reg.alpha_ <= reg.alphas_[0])
    True
    >>> sparse = LassoRegressorCV(alphas=30, selection_rule="1se").fit(X, y)
    >>> bool(sparse.alpha_ >= reg.alpha_)
    True
    """.format(params=_COMMON_PARAMS.format(per_l1="", rule_l1=""),
               attrs=_COMMON_ATTRS)

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, copy_X=True, cv=None,
                 verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", selection_rule="min"):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.selection_rule = selection_rule

    def _l1_ratios(self):
        return [1.0], True


class ElasticNetCV(_PathCV):
    __doc__ = r"""Elastic net with alpha and l1_ratio chosen by k-fold CV on the path.

    For each ``l1_ratio`` :math:`\rho` and each alpha of a decreasing grid,
    minimises (with sample weights :math:`s` rescaled to sum to :math:`n`)

    .. math::

        \frac{{1}}{{2n}} \sum_i s_i (y_i - x_i^\top w - b)^2
        + \alpha \rho \|w\|_1 + \frac{{\alpha (1 - \rho)}}{{2}} \|w\|_2^2

    on the training part of each fold, warm-starting each alpha from the
    previous one, and scores it by the held-out mean squared error; then refits
    :class:`ElasticNet` on all the data at the chosen ``(l1_ratio_, alpha_)``.
    Parameters and attributes are those of scikit-learn's ``ElasticNetCV``, plus
    ``selection_rule``.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mix of the penalties, in [0, 1] (1 is the lasso). A list is searched
        too, e.g. ``[.1, .5, .7, .9, .95, .99, 1]``. ``l1_ratio=0`` has no
        automatic grid: pass an explicit ``alphas`` array with it.
{params}
    Attributes
    ----------
{attrs}    l1_ratio_ : float
        The l1_ratio chosen.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The grid of each l1_ratio, decreasing (2-D when ``l1_ratio`` is a list).
    mse_path_ : ndarray of shape (n_alphas, n_folds) or \
            (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared error of each fold at each alpha (averaged over
        targets; 3-D when ``l1_ratio`` is a list).

    See Also
    --------
    LassoRegressorCV : the case ``l1_ratio=1``.
    enet_path : the path on one data set.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg import ElasticNetCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ElasticNetCV(l1_ratio=[0.5, 0.9, 1.0], alphas=30).fit(X, y)
    >>> reg.mse_path_.shape
    (3, 30, 5)
    >>> reg.l1_ratio_ in (0.5, 0.9, 1.0)
    True
    """.format(
        params=_COMMON_PARAMS.format(
            per_l1=", for each l1_ratio",
            rule_l1=" The l1_ratio is the one of the minimum."),
        attrs=_COMMON_ATTRS)

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, copy_X=True, cv=None,
                 verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", selection_rule="min"):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.selection_rule = selection_rule

    def _l1_ratios(self):
        if np.ndim(self.l1_ratio) == 0:
            return [check_real(self.l1_ratio, "l1_ratio", low=0, high=1)], True
        values = list(np.ravel(np.asarray(self.l1_ratio, dtype=object)))
        if not values:
            raise InvalidParameterError(
                "l1_ratio must be a float or a non-empty list of floats.")
        return [check_real(v, "l1_ratio", low=0, high=1) for v in values], False

    def _set_l1_ratio(self, l1_ratio):
        self.l1_ratio_ = float(l1_ratio)
