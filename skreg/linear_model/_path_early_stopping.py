"""Early stopping along a regularization path.

``early_stopping=True`` walks the path on a training split from the largest
penalty down to ``alpha`` and stops once a held-out split stops improving.
Early stopping is written against *steps*, an iterable of ``(alpha, state)``
pairs produced lazily, so that any estimator able to fit along a grid plugs
into :func:`early_stopping_walk`. For ridge, from one decomposition of the
training split::

    validation_fraction, n_iter_no_change, n_alphas = check_early_stopping_params(
        self.validation_fraction, self.n_iter_no_change, self.n_alphas)
    train, val = validation_split(n_samples, validation_fraction, rng)
    grid = geometric_grid(alpha_start, alpha, n_alphas)
    steps = ((a, coef_at(a)) for a in grid)      # lazy: one cheap solve each
    walk = early_stopping_walk(steps, validation_r2, n_iter_no_change=...,
                               tol=tol)
    # walk.alpha, walk.alphas, walk.scores, walk.best_score, walk.best_state
"""

import warnings
from math import ceil
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._early_stopping import EarlyStopping
from .._validation import InvalidParameterError
from ._base import (
    check_int,
    check_real,
    make_design,
    split_weights,
)
from ._path import (
    _alpha_max,
    convergence_message,
    geometric_grid,
    path_gram,
    walk_path,
)

EARLY_STOPPING_SPLIT = (
    "the training or validation split drawn for early stopping; change "
    "random_state or validation_fraction"
)

__all__ = [
    "EARLY_STOPPING_ATTRS",
    "EARLY_STOPPING_SPLIT",
    "EarlyStoppingResult",
    "check_early_stopping_params",
    "early_stopping_walk",
    "enet_early_stopping",
    "validation_split",
]

# The attributes early stopping sets, in the numpydoc of every estimator with it.
EARLY_STOPPING_ATTRS = """\
    alpha_ : float
        The alpha chosen by early stopping (``early_stopping=True`` only).
    alphas_ : ndarray of shape (n_steps,)
        The alphas tried by early stopping, decreasing (``early_stopping=True``
        only).
    validation_scores_ : ndarray of shape (n_steps,)
        Validation R² at each of ``alphas_`` (``early_stopping=True`` only).
    best_validation_score_ : float
        Best of ``validation_scores_``, reached at ``alpha_``
        (``early_stopping=True`` only).
"""


def check_early_stopping_params(validation_fraction, n_iter_no_change, n_alphas):
    """Validate the early-stopping hyperparameters (also when early stopping is off)."""
    return (
        check_real(validation_fraction, "validation_fraction", low=0, high=1,
                   closed="neither"),
        check_int(n_iter_no_change, "n_iter_no_change", low=1),
        check_int(n_alphas, "n_alphas", low=1),
    )


def validation_split(n_samples, validation_fraction, rng):
    """Indices ``(train, validation)`` of a random split, both sorted.

    ``ceil(validation_fraction * n_samples)`` samples are held out (the count of
    :func:`~sklearn.model_selection.train_test_split`); both parts need at least
    two samples, the validation R² being undefined on one.
    """
    n_val = ceil(validation_fraction * n_samples)
    if n_val < 2 or n_samples - n_val < 2:
        raise InvalidParameterError(
            f"validation_fraction={validation_fraction} of n_samples={n_samples} "
            f"leaves {n_val} validation and {n_samples - n_val} training samples; "
            "early stopping needs at least 2 of each. Change validation_fraction, "
            "pass more samples, or set early_stopping=False."
        )
    # Imported here: sklearn.model_selection and sklearn.metrics cost ~0.1 s to
    # load, and only early stopping needs them; every other fit skips that.
    from sklearn.model_selection import train_test_split

    train, val = train_test_split(np.arange(n_samples), test_size=n_val,
                                  random_state=rng)
    return np.sort(train), np.sort(val)


class EarlyStoppingResult(NamedTuple):
    """Outcome of :func:`early_stopping_walk`.

    Attributes
    ----------
    alphas : ndarray of shape (n_steps,)
        The alphas tried, in the order walked.
    scores : ndarray of shape (n_steps,)
        Validation score at each (higher is better).
    best_index : int
        Index of the best score (the first among equals, i.e. the largest alpha).
    best_state : object
        What the step at ``best_index`` yielded.
    """

    alphas: np.ndarray
    scores: np.ndarray
    best_index: int
    best_state: object

    @property
    def alpha(self):
        return float(self.alphas[self.best_index])

    @property
    def best_score(self):
        return float(self.scores[self.best_index])


def early_stopping_walk(steps, score, *, n_iter_no_change, tol):
    """Consume ``steps`` until the validation score stops improving.

    Parameters
    ----------
    steps : iterable of (float, object)
        ``(alpha, state)`` pairs, most regularised first, produced lazily (a
        generator): the walk never asks for a step after the one it stops at.
        A state must not be modified once yielded (the best one is kept).
    score : callable
        ``score(state) -> float``, higher is better.
    n_iter_no_change : int
        Stop after this many consecutive steps that do not beat the best score
        so far by more than ``tol``.
    tol : float

    Returns
    -------
    result : EarlyStoppingResult
    """
    alphas, scores = [], []
    stopper = EarlyStopping(n_iter_no_change, tol, greater_is_better=True,
                            keep_best=False)
    best_index, best_state = 0, None
    for i, (alpha, state) in enumerate(steps):
        value = float(score(state))
        alphas.append(alpha)
        scores.append(value)
        stop = stopper.update(value, epoch=i)
        if stopper.best_epoch == i:  # ties keep the earlier, larger alpha
            best_index, best_state = i, state
        if stop:
            break
    if not alphas:
        raise ValueError("early stopping needs at least one step; the path is empty.")
    return EarlyStoppingResult(np.array(alphas), np.array(scores), best_index,
                               best_state)


class EnetEarlyStopping(NamedTuple):
    """What ``early_stopping=True`` hands back to ElasticNet / LassoRegressor."""

    alpha: float
    alphas: np.ndarray
    scores: np.ndarray
    best_score: float
    coef: np.ndarray


def enet_early_stopping(X, y, sample_weight, *, alpha, l1_ratio, n_alphas,
                        validation_fraction, n_iter_no_change, tol, fit_intercept,
                        precompute, max_iter, positive, random, rng):
    """Walk the path on a training split, scoring on the held-out rest.

    The grid has ``n_alphas`` log-spaced values from ``alpha_max`` of the
    training split down to ``alpha`` (just ``[alpha]`` when ``alpha`` is
    already above ``alpha_max``). The score is the R² of the held-out split
    (weighted by its sample weights), the convention of ``score``.

    ``X``, ``y`` and ``sample_weight`` are validated already (weights summing
    to n); the parameters too. Returns :class:`EnetEarlyStopping`, whose
    ``coef`` (centred-problem coefficients on the training split at the best
    alpha) is a good starting point for the refit on all the data.
    """
    if alpha == 0:
        raise InvalidParameterError(
            "early_stopping=True walks the path from alpha_max down to alpha, "
            "which must be positive, got alpha=0."
        )
    if l1_ratio == 0:
        raise InvalidParameterError(
            "early_stopping=True needs l1_ratio > 0: with a pure L2 penalty there "
            "is no alpha_max to start the path from (use RidgeRegressor)."
        )
    train, val = validation_split(X.shape[0], validation_fraction, rng)
    sw_train, sw_val = split_weights(sample_weight, train, val,
                                     EARLY_STOPPING_SPLIT)
    if sw_train is not None:
        sw_train = sw_train * (train.size / sw_train.sum())
    X_train, y_train, X_val, y_val = X[train], y[train], X[val], y[val]
    design = make_design(X_train, y_train, sw_train, fit_intercept)
    alpha_max = _alpha_max(X_train, y_train, sw_train, fit_intercept, l1_ratio)
    grid = geometric_grid(alpha_max, alpha, n_alphas)
    n_targets, n_features = design.y.shape[1], X.shape[1]
    gram = path_gram(True if hasattr(precompute, "shape") else precompute, design)
    steps = walk_path(design, l1_ratio, grid,
                      coef_init=np.zeros((n_targets, n_features), dtype=X.dtype),
                      gram=gram, positive=positive, max_iter=max_iter, tol=tol,
                      random=random, rng=rng)

    n_bad, stalled = [], []
    from sklearn.metrics import r2_score  # loaded only for early stopping (see above)

    def score(result):
        n_bad.append(not result.converged)
        if not result.converged:
            stalled.append(result.at_precision)
        intercept = design.y_offset - result.coef @ design.X_offset
        pred = X_val @ result.coef.T + intercept
        return r2_score(y_val.reshape(pred.shape), pred, sample_weight=sw_val)

    walk = early_stopping_walk(steps, score, n_iter_no_change=n_iter_no_change,
                               tol=tol)
    if any(n_bad):
        warnings.warn(convergence_message(sum(n_bad), len(n_bad), tol, max_iter,
                                          " of the early-stopping path",
                                          X.dtype if all(stalled) else None),
                      ConvergenceWarning, stacklevel=3)
    return EnetEarlyStopping(walk.alpha, walk.alphas, walk.scores, walk.best_score,
                             walk.best_state.coef)
