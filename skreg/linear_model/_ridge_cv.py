"""RidgeRegressorCV: alpha chosen by exact leave-one-out or k-fold CV.

Both modes factor each training set once (:func:`ridge_spectrum`) and score
the whole alpha grid from that one factorisation; k-fold folds run in parallel
through joblib, so any joblib backend (threads, processes, a Dask cluster)
runs them.
"""

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.model_selection import check_cv

from .._validation import InvalidParameterError
from ._base import (
    LinearModelMixin,
    check_bool,
    check_choice,
    check_int,
    check_sample_weight,
    validate_fit_data,
)
from ._cv_folds import select_alpha
from ._path import explicit_grid
from ._ridge import RidgeRegressor
from ._ridge_path import (
    fold_squared_error,
    loo_squared_errors,
    ridge_spectrum,
    spectrum_coefs_per_target,
)

__all__ = ["RidgeRegressorCV"]


def _check_grid(alphas):
    """``alphas`` as a decreasing float64 array of positive values."""
    grid = explicit_grid(alphas)
    if np.any(grid <= 0):
        raise InvalidParameterError(
            f"alphas must all be > 0, got {alphas!r}."
        )
    return grid


class RidgeRegressorCV(LinearModelMixin, BaseEstimator):
    r"""Ridge regression with alpha chosen by cross-validation.

    For each ``alpha`` of the grid, minimises (scikit-learn's Ridge scale,
    sample weights :math:`s_i` not normalised)

    .. math::

        \sum_{i} s_i \, (y_i - x_i^\top w - b)^2 + \alpha \, \lVert w \rVert_2^2

    on each training set, scores it on the held-out samples by their squared
    error, keeps the best ``alpha_`` and refits on all the data there. Each
    training set is factored once (an eigendecomposition of its centred Gram
    matrix, or of its kernel matrix when ``n_features > n_samples``) and that
    one factorisation gives the fit at every alpha.

    With ``cv=None`` (the default) the criterion is the exact leave-one-out
    error, from one factorisation of all the data: dropping sample :math:`i`
    turns its residual :math:`r_i` into :math:`r_i / (1 - h_i)`, with
    :math:`h_i = s_i / \sum_j s_j + s_i \sum_k q_{ik}^2 / (\lambda_k + \alpha)`
    (the first term only with an intercept), :math:`\lambda_k` the
    eigenvalues of the weighted, centred Gram matrix and :math:`q_i` the
    centred row :math:`i` in its eigenvectors. Parameters and conventions are
    those of :class:`sklearn.linear_model.RidgeCV` where they exist; the
    score is always the (weighted) mean squared error (there is no
    ``scoring``), and there is no ``gcv_mode`` or ``store_cv_results``
    (``mse_path_`` is always stored).

    Parameters
    ----------
    alphas : float or array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Penalties to try, each ``> 0``; searched in decreasing order.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept. Sparse ``X`` is centred implicitly,
        never densified.
    cv : int, cross-validation generator, iterable or None, default=None
        None: efficient exact leave-one-out. An int: that many folds
        (:class:`~sklearn.model_selection.KFold`, not shuffled); or a splitter,
        or an iterable of (train, test) index arrays.
    alpha_per_target : bool, default=False
        With several targets, choose one alpha per target (each by its own
        error) instead of one for all (by their mean error).
    selection_rule : {'min', '1se'}, default='min'
        'min' keeps the alpha with the smallest mean error. '1se' (glmnet's
        ``lambda.1se``) keeps the largest alpha whose mean error is within one
        standard error (the standard deviation of the per-fold errors, ddof=1,
        over the square root of their number; with leave-one-out the folds are
        the samples) of that minimum: a smoother model, as good within the
        noise of cross-validation.
    n_jobs : int, default=None
        k-fold folds run in parallel (threads by default: the work is BLAS,
        which releases the GIL). None means 1 unless in a
        :func:`joblib.parallel_config` context, which also chooses the backend
        (processes, a Dask cluster, ...). Unused with leave-one-out.
    verbose : int, default=0
        Verbosity of :class:`joblib.Parallel` (k-fold only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
        The alpha chosen (one per target with ``alpha_per_target=True`` and
        several targets).
    alphas_ : ndarray of shape (n_alphas,)
        The grid, decreasing.
    mse_path_ : ndarray of shape (n_alphas, n_folds) or \
            (n_targets, n_alphas, n_folds)
        Error of each alpha on each fold, averaged over targets (per target,
        leading axis, with ``alpha_per_target=True`` and several targets).
        With leave-one-out the folds are the samples and the entries are
        ``s_i e_i^2``, the sample weight times the squared leave-one-out
        residual (scikit-learn's RidgeCV ``cv_results_`` convention); with
        k-fold they are each test fold's MSE weighted by its sample weights.
    best_score_ : float or ndarray of shape (n_targets,)
        Minus the mean over folds of ``mse_path_`` at ``alpha_`` (higher is
        better; with leave-one-out and no ``scoring``, scikit-learn's
        RidgeCV ``best_score_``).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients refitted on all the data at ``alpha_``, in X's dtype.
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when X has string feature names.

    See Also
    --------
    RidgeRegressor : ridge at one alpha; ``early_stopping=True`` chooses alpha
        on a held-out split instead.
    LassoRegressorCV : the same search for the lasso.

    Notes
    -----
    Cost: one eigendecomposition of a ``min(n_samples, n_features)`` square
    matrix per training set (one in all for leave-one-out), plus one product
    per alpha of size ``n_samples x rank x n_targets``. Very large sparse
    problems with both dimensions big are better served by k-fold over an
    iterative solver (``GridSearchCV(RidgeRegressor(solver='sparse_cg'))``).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg.linear_model._ridge_cv import RidgeRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> alphas = [1e-3, 1e-2, 1e-1, 1.0]
    >>> reg = RidgeRegressorCV(alphas=alphas).fit(X, y)
    >>> reg.alpha_
    0.01
    >>> reg.mse_path_.shape
    (4, 442)
    >>> from sklearn.linear_model import RidgeCV
    >>> RidgeCV(alphas=alphas).fit(X, y).alpha_ == reg.alpha_
    True
    >>> smooth = RidgeRegressorCV(alphas=alphas, cv=5, selection_rule="1se")
    >>> bool(smooth.fit(X, y).alpha_ >= reg.alpha_)
    True
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, cv=None,
                 alpha_per_target=False, selection_rule="min", n_jobs=None,
                 verbose=0):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.alpha_per_target = alpha_per_target
        self.selection_rule = selection_rule
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Choose alpha by cross-validation, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; never modified, sparse input never densified.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights ``s_i``, not normalised (as in the
            objective); they also weight the held-out errors.

        Returns
        -------
        self : RidgeRegressorCV
            The fitted estimator.
        """
        fit_intercept = check_bool(self.fit_intercept, "fit_intercept")
        per_target = check_bool(self.alpha_per_target, "alpha_per_target")
        rule = check_choice(self.selection_rule, "selection_rule", {"min", "1se"})
        if self.n_jobs is not None:
            check_int(self.n_jobs, "n_jobs")
        verbose = check_int(self.verbose, "verbose", low=0)
        alphas = _check_grid(self.alphas)

        X, y = validate_fit_data(self, X, y)
        n_samples = X.shape[0]
        Y = np.asarray(y, dtype=np.float64).reshape(n_samples, -1)
        n_targets = Y.shape[1]
        single = y.ndim == 1
        sw = check_sample_weight(sample_weight, X, np.float64, normalised=False)

        spectrum = None
        if self.cv is None:
            if n_samples < 2:
                raise ValueError(
                    f"Leave-one-out (cv=None) needs at least 2 samples, got "
                    f"{n_samples} sample."
                )
            spectrum = ridge_spectrum(X, Y, sw, fit_intercept, basis=False)
            errors = loo_squared_errors(X, Y, sw, spectrum, alphas, fit_intercept)
            paths = errors.transpose(2, 0, 1)  # (n_targets, n_alphas, n_samples)
        else:
            folds = list(check_cv(self.cv, y, classifier=False).split(X, y))
            Xr = X.tocsr() if sp.issparse(X) else X  # row selection per fold
            # Threads share X for free and the work is BLAS (GIL released); a
            # parallel_config(backend=...) context, e.g. Dask, overrides the hint.
            out = Parallel(n_jobs=self.n_jobs, verbose=verbose, prefer="threads")(
                delayed(fold_squared_error)(Xr, Y, sw, train, test, alphas,
                                            fit_intercept)
                for train, test in folds
            )
            paths = np.stack(out, axis=-1).transpose(1, 0, 2)  # (t, a, folds)
        if rule == "1se" and paths.shape[-1] < 2:
            raise ValueError(
                "selection_rule='1se' needs at least 2 cross-validation folds to "
                f"estimate a standard error; cv gave {paths.shape[-1]}."
            )

        if per_target and n_targets > 1:
            index = np.array([select_alpha(path[None], rule)[1] for path in paths])
            self.alpha_ = alphas[index]
            self.mse_path_ = paths
            self.best_score_ = -paths[np.arange(n_targets), index].mean(axis=-1)
            alpha_refit = self.alpha_
        else:
            path = paths.mean(axis=0)
            i = select_alpha(path[None], rule)[1]
            self.alpha_ = float(alphas[i])
            self.mse_path_ = path
            self.best_score_ = -float(path[i].mean())
            alpha_refit = np.full(n_targets, self.alpha_)
        self.alphas_ = alphas

        if spectrum is not None:
            coef = spectrum_coefs_per_target(spectrum, alpha_refit)
            self._set_intercept(coef, spectrum, fit_intercept, single)
            self.coef_ = np.asarray(self.coef_, dtype=X.dtype)
            self.intercept_ = (X.dtype.type(self.intercept_) if single else
                               np.asarray(self.intercept_, dtype=X.dtype))
        else:
            # One exact solve at alpha_ is cheaper than factoring all the data.
            model = RidgeRegressor(alpha=alpha_refit if n_targets > 1 else
                                   self.alpha_, fit_intercept=fit_intercept,
                                   solver="cholesky")
            model.fit(X, y, sample_weight=sw)
            self.coef_, self.intercept_ = model.coef_, model.intercept_
        return self
