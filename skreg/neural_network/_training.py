"""Training plumbing of RegularizedMLPClassifier: buffers, optimizer, split.

Pure helpers the estimator wires together; they read the estimator's
hyperparameters but never set its attributes.
"""

import numpy as np
from sklearn.model_selection import train_test_split

from .. import _validation
from . import _optim

__all__ = ["build_optimizer", "new_schedule", "pack", "validation_split"]


def pack(arrays, dtype):
    """Copy ``arrays`` into one flat array; return it and views shaped like them."""
    flat = np.empty(sum(a.size for a in arrays), dtype=dtype)
    views, start = [], 0
    for a in arrays:
        view = flat[start:start + a.size].reshape(a.shape)
        view[...] = a
        views.append(view)
        start += a.size
    return flat, views


def new_schedule(est):
    """The learning-rate schedule the estimator's parameters ask for."""
    lr = est.learning_rate_init
    if est.solver == "sgd" and est.learning_rate == "invscaling":
        return _optim.InverseScalingSchedule(lr, est.power_t)
    if est.solver == "sgd" and est.learning_rate == "adaptive":
        return _optim.PlateauSchedule(lr, factor=0.2)
    return _optim.ConstantSchedule(lr)

def build_optimizer(est, schedule):
    """The update rule: L2 gradient, solver, decoupled decay, rate, L1 prox.

    It acts on ``[weights, biases]``, two flat arrays.
    """
    mask = [True, False]  # biases are never regularized
    l2 = est.alpha * (1 - est.l1_ratio)
    l1 = est.alpha * est.l1_ratio
    metric = _optim.Preconditioner() if l1 > 0 else None
    if est.solver == "adam":
        solver = [_optim.scale_by_adam(
            est.beta_1, est.beta_2, est.epsilon, preconditioner=metric
        )]
    elif est.momentum > 0:
        solver = [_optim.trace(est.momentum, est.nesterovs_momentum)]
    else:
        solver = []
    steps = [
        # before the solver: the penalty's gradient, part of the objective
        _optim.add_decayed_weights(l2, mask),
        *solver,
        # after it: decoupled decay, scaled by the learning rate only
        _optim.add_decayed_weights(est.weight_decay, mask),
        _optim.scale_by_learning_rate(schedule),
    ]
    if l1 > 0:
        steps.append(_optim.proximal_l1(l1, schedule, mask, preconditioner=(
            metric if est.solver == "adam" else None
        )))
    return _optim.chain(*steps)


def validation_split(est, X, y, Y, sw, rng):
    """Stratified (single-label) or plain (multilabel) validation split."""
    n = X.shape[0]
    n_val = int(np.ceil(est.validation_fraction * n))
    stratify = None
    if est._label_binarizer.y_type_ != "multilabel-indicator":
        stratify = y
        labels, counts = np.unique(y, return_counts=True)
        # a stratified split needs every class on both sides
        n_val = max(n_val, len(labels))
        if counts.min() < 2:
            raise ValueError(
                "early_stopping needs at least 2 samples of every class for a "
                f"stratified validation split; class {labels[counts.argmin()]!r}"
                f" has {counts.min()}."
            )
        if n - n_val < len(labels):
            raise ValueError(
                f"early_stopping: too few samples (n_samples={n}) for a "
                f"validation split with validation_fraction="
                f"{est.validation_fraction} and {len(labels)} classes."
            )
    if n - n_val < 1:
        raise ValueError(
            f"early_stopping: validation_fraction={est.validation_fraction} of "
            f"n_samples={n} leaves no training sample."
        )
    train, val = train_test_split(
        np.arange(n), test_size=n_val, stratify=stratify, random_state=rng
    )
    sw_train, sw_val = _validation.split_weights(
        sw, train, val, "the training or the validation part of the early-stopping "
        "split (sample_weight times class_weight)")
    validation = (X[val], Y[val], sw_val / sw_val.mean())
    return X[train], Y[train], sw_train, validation
