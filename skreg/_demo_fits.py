"""The demo's fits: each data set, its skreg estimators and their sklearn peers.

Every function here returns plain records (:class:`Row`) plus whatever the
figures need, so that the table, the figures and the tests share one run.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn import linear_model as sk_linear
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .linear_model import (
    ElasticNetCV,
    LassoRegressor,
    LassoRegressorCV,
    RidgeRegressor,
    RidgeRegressorCV,
)
from .neural_network import RegularizedMLPClassifier

# Pure-noise columns appended to diabetes: with 10 informative features only,
# "zeroed coefficients" would say little; next to 30 useless ones it shows
# what each penalty does with features that carry nothing.
N_NOISE = 30
L1_RATIOS = [0.1, 0.5, 0.9, 1.0]
RIDGE_ALPHAS = np.logspace(-2, 4, 25)


@dataclass
class Row:
    """One line of the table: a skreg fit and, when one exists, its peer."""

    estimator: str
    score: float
    zeroed: int | None
    n_coef: int | None
    chosen: str
    fit_s: float
    sklearn: str | None = None
    sklearn_score: float | None = None
    sklearn_fit_s: float | None = None


@dataclass
class DatasetResult:
    """The rows of one data set, its description and the figure inputs."""

    name: str
    description: str
    metric: str
    rows: list = field(default_factory=list)
    artifacts: dict = field(default_factory=dict)


def _timed_fit(estimator, X, y, repeats):
    """Fit ``repeats`` times and return the fastest wall time.

    The machine the demo runs on is often shared; the minimum of a few runs is
    the least noisy estimate of what a fit costs.
    """
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        estimator.fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best


def _split(X, y, seed, stratify=None):
    return train_test_split(X, y, test_size=0.25, random_state=seed,
                            stratify=stratify)


def diabetes(seed, repeats=3):
    """Lasso, elastic net and ridge on diabetes with noise columns added."""
    X, y = load_diabetes(return_X_y=True)
    rng = np.random.RandomState(seed)
    X = np.hstack([X, rng.randn(X.shape[0], N_NOISE)])
    X_train, X_test, y_train, y_test = _split(X, y, seed)
    p = X.shape[1]
    result = DatasetResult(
        "diabetes",
        f"{X.shape[0]} samples, {p - N_NOISE} features + {N_NOISE} pure-noise "
        "columns, regression",
        "R2",
    )

    def pair(name, ours, theirs, peer_name, chosen):
        ours_pipe = make_pipeline(StandardScaler(), ours)
        fit_s = _timed_fit(ours_pipe, X_train, y_train, repeats)
        model = ours_pipe[-1]
        fitted = getattr(model, "best_estimator_", model)
        row = Row(name, ours_pipe.score(X_test, y_test),
                  int(np.sum(fitted.coef_ == 0)), p, chosen(model), fit_s)
        if theirs is not None:
            theirs_pipe = make_pipeline(StandardScaler(), theirs)
            row.sklearn = peer_name
            row.sklearn_fit_s = _timed_fit(theirs_pipe, X_train, y_train, repeats)
            row.sklearn_score = theirs_pipe.score(X_test, y_test)
        result.rows.append(row)
        return ours_pipe

    lasso = pair("LassoRegressorCV", LassoRegressorCV(), sk_linear.LassoCV(),
                 "LassoCV", lambda m: f"a={m.alpha_:.3g} (CV)")
    enet = pair(
        "ElasticNetCV(l1_ratio=[.1,..,1])",
        ElasticNetCV(l1_ratio=L1_RATIOS), sk_linear.ElasticNetCV(l1_ratio=L1_RATIOS),
        "ElasticNetCV",
        lambda m: f"a={m.alpha_:.3g}, l1={m.l1_ratio_:g} (CV)",
    )
    ridge = pair("RidgeRegressorCV", RidgeRegressorCV(alphas=RIDGE_ALPHAS),
                 sk_linear.RidgeCV(alphas=RIDGE_ALPHAS), "RidgeCV",
                 lambda m: f"a={m.alpha_:.3g} (LOO CV)")
    pair("RidgeRegressor(early_stopping)",
         RidgeRegressor(alpha=1e-3, early_stopping=True, validation_fraction=0.2,
                        random_state=seed),
         None, None, lambda m: f"a={m.alpha_:.3g} (ES)")
    pair("LassoRegressor(early_stopping)",
         LassoRegressor(alpha=1e-3, early_stopping=True, validation_fraction=0.2,
                        random_state=seed),
         None, None, lambda m: f"a={m.alpha_:.3g} (ES)")

    scaler = StandardScaler().fit(X_train)
    result.artifacts = {
        "X_train": scaler.transform(X_train),
        "y_train": y_train,
        "n_informative": p - N_NOISE,
        "feature_names": list(load_diabetes().feature_names)
        + [f"noise{i}" for i in range(N_NOISE)],
        "lasso_cv": lasso[-1],
        "enet_cv": enet[-1],
        "ridge": ridge[-1],
    }
    return result


def _first_layer_zeroed(mlp):
    """Inputs whose every first-layer weight is zero: the network ignores them."""
    return int(np.sum(np.all(mlp.coefs_[0] == 0, axis=1)))


def breast_cancer(seed):
    """An L1-penalised network that drops inputs, next to sklearn's L2 one."""
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = _split(X, y, seed, stratify=y)
    result = DatasetResult(
        "breast cancer",
        f"{X.shape[0]} samples, {X.shape[1]} features, binary classification",
        "accuracy",
    )
    common = dict(hidden_layer_sizes=(32,), max_iter=200, random_state=seed,
                  learning_rate_init=1e-2)
    ours = make_pipeline(StandardScaler(), RegularizedMLPClassifier(
        alpha=1e-2, l1_ratio=1.0, **common))
    theirs = make_pipeline(StandardScaler(), MLPClassifier(alpha=1e-2, **common))
    fit_s = _timed_fit(ours, X_train, y_train, 1)
    mlp = ours[-1]
    row = Row("RegularizedMLP(L1 penalty)", ours.score(X_test, y_test),
              _first_layer_zeroed(mlp), X.shape[1], "a=0.01 (set)", fit_s,
              "MLPClassifier(L2)")
    row.sklearn_fit_s = _timed_fit(theirs, X_train, y_train, 1)
    row.sklearn_score = theirs.score(X_test, y_test)
    result.rows.append(row)
    result.artifacts = {
        "input_norms": np.linalg.norm(mlp.coefs_[0], axis=1),
        "sklearn_input_norms": np.linalg.norm(theirs[-1].coefs_[0], axis=1),
        "feature_names": list(load_breast_cancer().feature_names),
    }
    return result


def digits(seed):
    """A network with and without dropout, decoupled decay and early stopping."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0  # pixels in [0, 1], the scale the default learning rate suits
    X_train, X_test, y_train, y_test = _split(X, y, seed, stratify=y)
    result = DatasetResult(
        "digits",
        f"{X.shape[0]} samples, {X.shape[1]} pixels, 10 classes",
        "accuracy",
    )
    common = dict(hidden_layer_sizes=(128,), max_iter=80, random_state=seed,
                  learning_rate_init=1e-2)
    plain = RegularizedMLPClassifier(alpha=0.0, **common)
    regularized = RegularizedMLPClassifier(
        alpha=0.0, dropout=0.3, weight_decay=1e-2, early_stopping=True,
        validation_fraction=0.15, n_iter_no_change=15, **common)
    # The same split, held-out curve for the plain net, so the two validation
    # curves in the figure are comparable: early stopping on, patience off.
    plain_watched = RegularizedMLPClassifier(
        alpha=0.0, early_stopping=True, validation_fraction=0.15,
        n_iter_no_change=common["max_iter"], **common)
    rows = []
    for name, model, peer in [
        ("RegularizedMLP(no penalty)", plain, MLPClassifier(alpha=0.0, **common)),
        ("RegularizedMLP(dropout, decay, ES)", regularized,
         MLPClassifier(alpha=0.0, early_stopping=True, validation_fraction=0.15,
                       n_iter_no_change=15, **common)),
    ]:
        fit_s = _timed_fit(model, X_train, y_train, 1)
        chosen = (f"epoch {model.best_epoch_}/{model.n_iter_} (ES)"
                  if model.best_epoch_ is not None else "-")
        row = Row(name, model.score(X_test, y_test), None, None, chosen, fit_s,
                  "MLPClassifier" + ("(ES)" if model.early_stopping else ""))
        row.sklearn_fit_s = _timed_fit(peer, X_train, y_train, 1)
        row.sklearn_score = peer.score(X_test, y_test)
        rows.append(row)
    plain_watched.fit(X_train, y_train)
    result.rows = rows
    result.artifacts = {"plain": plain_watched, "regularized": regularized}
    return result


DATASETS = [("diabetes", diabetes), ("breast cancer", breast_cancer),
            ("digits", digits)]


def fit_all(seed, progress):
    """Run every data set, calling ``progress(i, n, name, result, seconds)``."""
    results = []
    with warnings.catch_warnings():
        # The demo caps iterations to stay short; the warnings would bury the
        # table under advice that does not apply to a showcase.
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i, (name, run) in enumerate(DATASETS, start=1):
            progress(i, len(DATASETS), name, None, None)
            start = time.perf_counter()
            result = run(seed)
            progress(i, len(DATASETS), name, result, time.perf_counter() - start)
            results.append(result)
    return results
