"""RegularizedMLPClassifier: targets, regularizers, wiring, errors."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.utils import check_random_state, compute_sample_weight

from skreg.neural_network import RegularizedMLPClassifier
from skreg.neural_network._network import (
    backward,
    forward,
    init_params,
    loss_and_delta,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        200, 8, n_informative=4, n_redundant=0, n_classes=3, random_state=0
    )
    return X, y


def _clf(**params):
    base = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=60,
                random_state=0)
    return RegularizedMLPClassifier(**{**base, **params})


def test_multiclass_string_labels(data):
    X, y = data
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = _clf().fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["ant", "bee", "cat"])
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    assert clf.n_layers_ == 3
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, labels) > 0.8


def test_binary(data):
    X, y = data
    clf = _clf().fit(X, y == 1)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), proba[:, 1] > 0.5)
    assert clf.score(X, y == 1) > 0.8


def test_multilabel_shares_the_hidden_stack(data):
    X, y = data
    Y = np.c_[y == 0, y == 1, y != 1].astype(int)
    clf = _clf(max_iter=100).fit(X, Y)
    assert clf.n_outputs_ == 3 and clf.out_activation_ == "logistic"
    assert [W.shape for W in clf.coefs_] == [(8, 16), (16, 3)]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    assert clf.score(X, Y) > 0.7  # subset accuracy


def test_float32_trains_in_float32(data):
    X, y = data
    clf = _clf(solver="adam", weight_decay=0.1, alpha=1e-3, l1_ratio=0.5,
               dropout=0.1, input_noise=0.1).fit(X.astype(np.float32), y)
    arrays = clf.coefs_ + clf.intercepts_ + clf._opt_state[1]["mu"]
    assert all(a.dtype == np.float32 for a in arrays)
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32


def _one_sgd_step(X, y, **params):
    """Fit one full-batch plain-SGD epoch; also return the initial parameters."""
    clf = RegularizedMLPClassifier(
        (4,), solver="sgd", momentum=0.0, batch_size=len(X), shuffle=False,
        max_iter=1, learning_rate_init=0.1, random_state=0, **params
    ).fit(X, y)
    coefs, intercepts = init_params(
        [X.shape[1], 4, 3], "relu", check_random_state(0), X.dtype
    )
    return clf, coefs, intercepts


@pytest.mark.parametrize(
    "alpha, l1_ratio, weight_decay", [(0.0, 0.0, 0.0), (0.5, 0.0, 0.0),
                                      (0.3, 0.5, 0.2)]
)
def test_one_step_matches_the_objective(data, alpha, l1_ratio, weight_decay):
    # The penalty is on the mean loss (not divided by the batch size), on weights
    # only; decay is decoupled; L1 is a proximal step.
    X, y = data
    clf, coefs, intercepts = _one_sgd_step(
        X, y, alpha=alpha, l1_ratio=l1_ratio, weight_decay=weight_decay
    )
    acts = forward(coefs, intercepts, X, "relu")
    _, delta = loss_and_delta(acts[-1], np.eye(3)[y], "softmax")
    cg, ig = backward(coefs, acts, delta, "relu")
    lr = 0.1
    for W, g, fitted in zip(coefs, cg, clf.coefs_, strict=True):
        q = W - lr * (g + alpha * (1 - l1_ratio) * W + weight_decay * W)
        expected = np.sign(q) * np.maximum(np.abs(q) - lr * alpha * l1_ratio, 0)
        np.testing.assert_allclose(fitted, expected, rtol=1e-10, atol=1e-12)
    for b, g, fitted in zip(intercepts, ig, clf.intercepts_, strict=True):
        np.testing.assert_allclose(fitted, b - lr * g, rtol=1e-10, atol=1e-12)


def test_l1_gives_exact_zeros_and_feature_selection():
    X, y = make_classification(
        300, 12, n_informative=3, n_redundant=0, shuffle=False, random_state=0
    )
    clf = _clf(alpha=0.025, l1_ratio=1.0, max_iter=60).fit(X, y)
    assert np.sum(clf.coefs_[0] == 0) > 0
    importances = clf.feature_importances_
    np.testing.assert_allclose(importances, np.linalg.norm(clf.coefs_[0], axis=1))
    assert np.all(importances[:3] > 0)
    assert np.sum(importances[3:] == 0) >= 6  # noise inputs cut off exactly
    selector = SelectFromModel(clf, threshold=1e-12).fit(X, y)
    support = selector.get_support()
    assert support[:3].all() and support.sum() < 12
    assert clf.score(X, y) > 0.8


def test_no_l1_no_zeros(data):
    X, y = data
    clf = _clf(alpha=0.02, l1_ratio=0.0).fit(X, y)
    assert np.all(clf.coefs_[0] != 0)


def test_weight_decay_shrinks_weights_not_biases(data):
    X, y = data
    plain = _clf(alpha=0.0).fit(X, y)
    decayed = _clf(alpha=0.0, weight_decay=5.0).fit(X, y)
    norm = lambda arrays: sum(np.linalg.norm(a) for a in arrays)  # noqa: E731
    assert norm(decayed.coefs_) < 0.5 * norm(plain.coefs_)
    assert norm(decayed.intercepts_) > 0.05  # biases are not decayed to zero


def _validation_split(X, y, seed, fraction):
    n_val = int(np.ceil(fraction * len(X)))
    _, val = train_test_split(np.arange(len(X)), test_size=n_val, stratify=y,
                              random_state=check_random_state(seed))
    return X[val], y[val]


@pytest.mark.parametrize("n_iter_no_change", [3, 1000])  # early exit, max_iter
def test_early_stopping_restores_the_best_weights(data, n_iter_no_change):
    X, y = data
    clf = _clf(early_stopping=True, n_iter_no_change=n_iter_no_change,
               learning_rate_init=0.05, max_iter=40, validation_fraction=0.2,
               hidden_layer_sizes=(64,), alpha=0.0).fit(X, y)
    scores = clf.validation_scores_
    assert len(scores) == len(clf.validation_loss_curve_) == clf.n_iter_
    assert len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(scores)
    assert clf.best_epoch_ == int(np.argmax(scores)) + 1
    if n_iter_no_change == 3:
        assert clf.n_iter_ == clf.best_epoch_ + 3 < 40
    else:
        assert clf.n_iter_ == 40
    assert clf.best_epoch_ < clf.n_iter_  # otherwise restoring proves nothing
    # the split is the first draw of the fit's random state: rebuild it, and check
    # the parameters kept are those of the best epoch, not of the last one
    X_val, y_val = _validation_split(X, y, 0, 0.2)
    Z = forward(clf.coefs_, clf.intercepts_, X_val, "relu")[-1]
    loss, _ = loss_and_delta(Z, np.eye(3)[y_val], "softmax")
    np.testing.assert_allclose(-loss, clf.best_validation_score_, rtol=1e-10)
    assert -loss != scores[-1]


def test_early_stopping_on_accuracy(data):
    X, y = data
    clf = _clf(early_stopping=True, scoring="accuracy", n_iter_no_change=5).fit(X, y)
    assert all(0 <= s <= 1 for s in clf.validation_scores_)
    X_val, y_val = _validation_split(X, y, 0, 0.1)
    assert clf.score(X_val, y_val) == clf.best_validation_score_
    assert clf.best_loss_ is None


def test_same_random_state_same_weights(data):
    X, y = data
    params = dict(dropout=0.3, input_noise=0.2, early_stopping=True, max_iter=15)
    a, b = _clf(**params).fit(X, y), _clf(**params).fit(X, y)
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(u, v)
    c = _clf(**{**params, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_dropout_and_noise_change_training_not_prediction(data):
    X, y = data
    plain = _clf(max_iter=5).fit(X, y)
    for params in [dict(dropout=0.5), dict(dropout=[0.5]), dict(input_noise=1.0)]:
        noisy = _clf(max_iter=5, **params).fit(X, y)
        assert not np.allclose(plain.coefs_[0], noisy.coefs_[0])
        # prediction is deterministic: no dropout, no noise
        np.testing.assert_array_equal(noisy.predict_proba(X), noisy.predict_proba(X))


def test_sample_weight_is_repetition(data):
    X, y = data
    X, y = X[:60], y[:60]
    w = np.random.RandomState(0).randint(0, 3, len(X))
    kw = dict(shuffle=False, max_iter=20)  # one batch each: n < 200
    weighted = _clf(**kw).fit(X, y, sample_weight=w)
    repeated = _clf(**kw).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.coefs_[0], repeated.coefs_[0], rtol=1e-7)


def test_class_weight_is_a_sample_weight(data):
    X, y = data
    X, y = X[:150], y[:150]
    a = _clf(class_weight="balanced", max_iter=10).fit(X, y)
    b = _clf(max_iter=10).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-10)
    c = _clf(class_weight={0: 1, 1: 5, 2: 1}, max_iter=10).fit(X, y)
    assert not np.allclose(c.coefs_[0], b.coefs_[0])


def test_partial_fit(data):
    X, y = data
    clf = _clf()
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    clf.partial_fit(X[100:], y[100:])
    assert clf.n_iter_ == 2 and clf.t_ == len(X) and len(clf.loss_curve_) == 2
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.score(X, y) > 0.8
    with pytest.warns(UserWarning, match="early_stopping"):
        _clf(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not in classes_"):
        clf.partial_fit(X, y + 5)


def test_warm_start_continues(data):
    X, y = data
    clf = _clf(warm_start=True, max_iter=3).fit(X, y)
    first = clf.coefs_[0].copy()
    clf.fit(X, y)
    fresh = _clf(max_iter=3).fit(X, y)
    np.testing.assert_array_equal(first, fresh.coefs_[0])
    assert not np.allclose(clf.coefs_[0], fresh.coefs_[0])


def test_verbose_prints_one_line_per_epoch(data, capsys):
    X, y = data
    clf = _clf(verbose=True, early_stopping=True, max_iter=4, n_iter_no_change=10)
    clf.fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert all("loss" in s and "validation" in s and "elapsed" in s for s in lines)


def test_convergence_warning_and_stopping_on_training_loss(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        _clf(max_iter=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = _clf(tol=10.0, n_iter_no_change=2, max_iter=50).fit(X, y)
    assert clf.n_iter_ == 3 and clf.best_loss_ == min(clf.loss_curve_)


@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
def test_sgd_schedules(data, schedule):
    X, y = data
    clf = _clf(solver="sgd", learning_rate=schedule, learning_rate_init=0.1,
               power_t=0.25).fit(X, y)
    assert clf.score(X, y) > 0.75


def test_adaptive_reduces_rate_on_plateau(data, capsys):
    X, y = data
    _clf(solver="sgd", learning_rate="adaptive", tol=10.0, n_iter_no_change=1,
         max_iter=5, verbose=True).fit(X, y)
    assert "Learning rate reduced to 0.002" in capsys.readouterr().out


def test_grid_search_reaches_every_regularizer(data):
    X, y = data
    grid = GridSearchCV(
        _clf(max_iter=10),
        {"alpha": [0.0, 1e-3], "dropout": [0.0, 0.2], "weight_decay": [0.0, 0.1],
         "input_noise": [0.0, 0.1]},
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 16


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(dropout=1.0), "dropout"),
        (dict(dropout=-0.1), "dropout"),
        (dict(dropout=[0.1, 0.2]), "dropout"),
        (dict(validation_fraction=0.0, early_stopping=True), "validation_fraction"),
        (dict(validation_fraction=1.0), "validation_fraction"),
        (dict(activation="softplus"), "activation"),
        (dict(solver="lbfgs"), "solver"),
        (dict(learning_rate="cosine"), "learning_rate"),
        (dict(scoring="f1"), "scoring"),
        (dict(l1_ratio=1.5), "l1_ratio"),
        (dict(alpha=-1.0), "alpha"),
        (dict(weight_decay=-1.0), "weight_decay"),
        (dict(input_noise=-1.0), "input_noise"),
        (dict(batch_size=0), "batch_size"),
        (dict(hidden_layer_sizes=(4, 0)), "hidden_layer_sizes"),
    ],
)
def test_bad_parameters(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        _clf(**params).fit(X, y)


def test_too_few_samples_for_validation_split():
    X = np.arange(12, dtype=float).reshape(6, 2)
    y = np.array([0, 0, 1, 1, 2, 2])
    with pytest.raises(ValueError, match="too few samples"):
        _clf(early_stopping=True, validation_fraction=0.6).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 samples of every class"):
        _clf(early_stopping=True).fit(X[1:], y[1:])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf_input(data, bad):
    X, y = data
    X = X.copy()
    X[3, 2] = bad
    with pytest.raises(ValueError, match="Input X contains"):
        _clf().fit(X, y)


def test_fit_does_not_modify_input_or_parameters(data):
    X, y = data
    X_copy, dropout = X.copy(), [0.2]
    clf = _clf(dropout=dropout, input_noise=0.5, max_iter=3)
    clf.fit(X, y, sample_weight=np.ones(len(X)))
    np.testing.assert_array_equal(X, X_copy)
    assert clf.dropout is dropout and clf.dropout == [0.2]


def test_one_class_is_an_error(data):
    X, _ = data
    with pytest.raises(ValueError, match="1 class"):
        _clf().fit(X, np.zeros(len(X)))


def test_early_stopping_split_without_weight_on_one_side_is_refused():
    X, y = make_classification(n_samples=40, random_state=0)
    sw = np.zeros(40)
    sw[0] = 1.0  # all the weight on one sample: one side of any split has none
    clf = RegularizedMLPClassifier(early_stopping=True, validation_fraction=0.5,
                                   max_iter=5, random_state=0)
    with pytest.raises(ValueError, match="zero on the whole of the training or "
                                         "the validation part"):
        clf.fit(X, y, sample_weight=sw)
