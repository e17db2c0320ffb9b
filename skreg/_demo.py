"""The showcase: each skreg estimator next to its scikit-learn counterpart."""

import time
import warnings

import numpy as np
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .linear_model import ElasticNet, LassoRegressor


def _regression_rows():
    """(name, skreg estimator, scikit-learn estimator) on diabetes."""
    return [
        ("LassoRegressor(alpha=1)", LassoRegressor(alpha=1.0), sk.Lasso(alpha=1.0)),
        ("ElasticNet(alpha=0.5, l1_ratio=0.7)",
         ElasticNet(alpha=0.5, l1_ratio=0.7), sk.ElasticNet(alpha=0.5, l1_ratio=0.7)),
    ]


def _timed_fit(estimator, X, y, repeats=5):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        estimator.fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best


def run_demo(seed=0, out=print):
    """Fit the estimators on diabetes and print a comparison table."""
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed
    )
    out(f"diabetes: {X.shape[0]} samples, {X.shape[1]} features "
        f"(standardized; 25% held out, seed {seed})")
    header = (f"{'estimator':<38} {'test R2':>8} {'zeroed':>7} "
              f"{'fit ms':>8} {'sklearn ms':>11}")
    out(header)
    out("-" * len(header))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, ours, theirs in _regression_rows():
            ours_pipe = make_pipeline(StandardScaler(), ours)
            theirs_pipe = make_pipeline(StandardScaler(), theirs)
            t_ours = _timed_fit(ours_pipe, X_train, y_train)
            t_theirs = _timed_fit(theirs_pipe, X_train, y_train)
            zeroed = int(np.sum(ours.coef_ == 0))
            out(f"{name:<38} {ours_pipe.score(X_test, y_test):>8.3f} "
                f"{zeroed:>4}/{X.shape[1]:<2} {1e3 * t_ours:>8.2f} "
                f"{1e3 * t_theirs:>11.2f}")
