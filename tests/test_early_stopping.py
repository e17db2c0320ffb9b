"""The early-stopping tracker: patience, tolerance, best epoch and parameters."""

import numpy as np

from skreg._early_stopping import EarlyStopping


def test_stops_after_patience_without_improvement():
    stopper = EarlyStopping(n_iter_no_change=3, tol=0.0)
    decisions = [stopper.update(s, epoch=k) for k, s in enumerate([5, 4, 4, 4.5, 4])]
    assert decisions == [False, False, False, False, True]
    assert stopper.best_score == 4 and stopper.best_epoch == 1


def test_tol_decides_what_counts_as_improvement():
    stopper = EarlyStopping(n_iter_no_change=2, tol=0.1)
    assert not stopper.update(1.0, epoch=1)
    assert not stopper.update(0.95, epoch=2)  # better, but by less than tol
    assert stopper.best_epoch == 2  # still the best parameters
    assert stopper.update(0.92, epoch=3)
    stopper = EarlyStopping(n_iter_no_change=2, tol=0.1)
    stopper.update(1.0)
    stopper.update(0.95)
    assert not stopper.update(0.8)  # beats the best by more than tol: resets


def test_greater_is_better():
    stopper = EarlyStopping(n_iter_no_change=1, tol=0.0, greater_is_better=True)
    assert not stopper.update(0.5, epoch=1)
    assert not stopper.update(0.7, epoch=2)
    assert stopper.update(0.6, epoch=3)
    assert stopper.best_score == 0.7 and stopper.best_epoch == 2


def test_keeps_a_copy_of_the_best_parameters_and_restores_it():
    params = [np.zeros((2, 2)), np.zeros(2)]
    stopper = EarlyStopping(n_iter_no_change=5, tol=0.0)
    for epoch, score in enumerate([3.0, 1.0, 2.0, 2.5], start=1):
        for p in params:
            p[...] = epoch  # training moves the parameters in place
        stopper.update(score, params, epoch)
    assert stopper.best_epoch == 2
    np.testing.assert_array_equal(params[0], 4)
    assert stopper.restore(params)
    np.testing.assert_array_equal(params[0], 2)
    np.testing.assert_array_equal(params[1], 2)
    params[0][...] = -1  # the kept copy is not a view of the live parameters
    np.testing.assert_array_equal(stopper.best_params[0], 2)


def test_keep_best_false_keeps_nothing():
    params = [np.ones(3)]
    stopper = EarlyStopping(keep_best=False)
    stopper.update(1.0, params, 1)
    assert stopper.best_params is None
    assert not stopper.restore(params)


def test_reset_patience():
    stopper = EarlyStopping(n_iter_no_change=2, tol=0.0)
    stopper.update(1.0)
    stopper.update(2.0)
    assert stopper.update(2.0)
    stopper.reset_patience()
    assert not stopper.should_stop
    assert not stopper.update(3.0)


def test_nan_scores_never_become_best():
    stopper = EarlyStopping(n_iter_no_change=2, tol=0.0)
    stopper.update(1.0, epoch=1)
    stopper.update(np.nan, epoch=2)
    assert stopper.update(np.nan, epoch=3)
    assert stopper.best_score == 1.0 and stopper.best_epoch == 1


def test_tiebreak_among_equal_scores():
    stopper = EarlyStopping(n_iter_no_change=5, tol=0.0, greater_is_better=True)
    stopper.update(0.9, epoch=1, tiebreak=-0.5)
    stopper.update(0.9, epoch=2, tiebreak=-0.3)  # same accuracy, lower loss
    stopper.update(0.9, epoch=3, tiebreak=-0.4)
    assert stopper.best_epoch == 2
    assert stopper.n_no_improve == 2  # ties never reset the patience
    stopper.update(0.8, epoch=4, tiebreak=0.0)  # a better tiebreak can't beat a score
    assert stopper.best_epoch == 2
