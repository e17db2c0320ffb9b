"""Track the best score seen during training and decide when to stop.

Shared by the network (epochs) and the linear models' early stopping (steps
along the regularization path).
"""

import numpy as np


class EarlyStopping:
    """Best score, best epoch, best parameters and a patience counter.

    An epoch (or path step) *improves* when its score beats the best one by more
    than ``tol``
    (``score < best - tol`` when lower is better). Training should stop once
    ``n_iter_no_change`` consecutive epochs have not improved.

    Parameters
    ----------
    n_iter_no_change : int, default=10
        Patience, in epochs.
    tol : float, default=1e-4
        Minimum improvement.
    greater_is_better : bool, default=False
        False for a loss, True for an accuracy.
    keep_best : bool, default=True
        Keep a copy of the parameters of the best epoch.

    Attributes
    ----------
    best_score : float
        Best score so far (``None`` before the first update).
    best_epoch : int
        Epoch (as passed to :meth:`update`) of the best score.
    best_params : list of ndarray or None
        Copy of the parameters at the best epoch (``keep_best=True`` only).
    n_no_improve : int
        Consecutive epochs without improvement.
    """

    def __init__(
        self, n_iter_no_change=10, tol=1e-4, greater_is_better=False, keep_best=True
    ):
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.greater_is_better = greater_is_better
        self.keep_best = keep_best
        self.best_score = None
        self.best_epoch = None
        self.best_tiebreak = -np.inf
        self.best_params = None
        self.n_no_improve = 0

    def _sign(self, score):
        return score if self.greater_is_better else -score

    def update(self, score, params=None, epoch=None, tiebreak=None):
        """Record one epoch's score; return True when training should stop.

        The best parameters (the epoch with the best score) are copied whether or
        not the epoch beat the best by ``tol``; the patience counter only resets on
        an improvement larger than ``tol``. Among epochs with equal scores (an
        accuracy is coarse), the larger ``tiebreak`` wins, then the earliest.
        """
        score = float(score)
        tiebreak = -np.inf if tiebreak is None else float(tiebreak)
        if self.best_score is None or not np.isfinite(self.best_score):
            improved = is_best = not np.isnan(score) or self.best_score is None
        else:
            gain = self._sign(score) - self._sign(self.best_score)
            improved = gain > self.tol
            is_best = gain > 0 or (gain == 0 and tiebreak > self.best_tiebreak)
        if is_best:
            self.best_score = score
            self.best_tiebreak = tiebreak
            self.best_epoch = epoch
            if self.keep_best and params is not None:
                if self.best_params is None:
                    self.best_params = [np.array(p, copy=True) for p in params]
                else:
                    for b, p in zip(self.best_params, params, strict=True):
                        np.copyto(b, p)
        self.n_no_improve = 0 if improved else self.n_no_improve + 1
        return self.should_stop

    @property
    def should_stop(self):
        """Whether the patience is exhausted."""
        return self.n_no_improve >= self.n_iter_no_change

    def reset_patience(self):
        """Restart the patience counter (after a learning-rate reduction)."""
        self.n_no_improve = 0

    def restore(self, params):
        """Copy the best parameters into ``params`` in place; False if none kept."""
        if self.best_params is None:
            return False
        for p, b in zip(params, self.best_params, strict=True):
            np.copyto(p, b)
        return True
