"""RegularizedMLPClassifier: wires the network, optimizer and early stopping."""

import time
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._early_stopping import EarlyStopping
from .._validation import check_choice, check_int, check_real
from . import _optim
from ._minibatch import MinibatchTrainer
from ._network import (
    ACTIVATIONS,
    forward,
    init_params,
    log_sigmoid,
    log_softmax,
    loss_and_delta,
    penalty,
    predict_proba_from_logits,
)
from ._training import build_optimizer, new_schedule, pack, validation_split

_SOLVERS = ("sgd", "adam")
_SCHEDULES = ("constant", "invscaling", "adaptive")
_SCORINGS = ("loss", "accuracy")
_MIN_LEARNING_RATE = 1e-6  # 'adaptive' gives up below this rate


def _rate(value, name):
    """A rate in [0, 1): momentum, Adam's betas, dropout."""
    return check_real(value, name, low=0, high=1, closed="left")


class RegularizedMLPClassifier(ClassifierMixin, BaseEstimator):
    r"""Multi-layer perceptron classifier with the usual network regularizers.

    The network minimises, over weights :math:`W` and biases :math:`b`,

    .. math::

        \frac{1}{n} \sum_{i=1}^n s_i\, \mathrm{CE}_i(W, b)
        + \alpha \Big(\rho \|W\|_1 + \frac{1 - \rho}{2} \|W\|_2^2\Big)

    where :math:`\rho` is ``l1_ratio``, the penalty covers the weights only (never
    the biases), :math:`\mathrm{CE}_i` is the softmax cross-entropy (multiclass)
    or the sigmoid cross-entropy summed over the outputs (binary, multilabel), and
    the sample weights :math:`s_i` (``sample_weight`` times ``class_weight``) are
    normalised to sum to :math:`n`. Unlike scikit-learn's ``MLPClassifier``, the
    penalty is not divided by the batch size. Its L1 part is applied by a
    proximal step (with 'adam', in Adam's diagonal metric), so weights reach exact
    zeros. On top of the objective:

    - ``weight_decay`` is decoupled decay applied by the optimizer (AdamW / SGDW):
      after each step :math:`W \leftarrow W - \eta\,\lambda_{wd} W`, with
      :math:`\eta` the current learning rate; it is not part of the objective;
    - ``dropout`` (inverted dropout on the hidden units) and ``input_noise``
      (Gaussian noise added to the inputs) act in training passes only;
    - ``early_stopping`` keeps the parameters of the best validation epoch.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer; all outputs share this hidden stack.
    activation : {'relu', 'tanh', 'logistic', 'identity'}, default='relu'
        Hidden-layer activation.
    solver : {'adam', 'sgd'}, default='adam'
        'sgd' uses ``momentum`` and ``nesterovs_momentum``.
    alpha : float, default=1e-4
        Strength of the elastic-net penalty on the weights.
    l1_ratio : float, default=0.0
        Share of L1 in the penalty, in [0, 1].
    weight_decay : float, default=0.0
        Decoupled weight decay per unit learning rate (see above).
    dropout : float or sequence of float, default=0.0
        Dropout rate in [0, 1), for every hidden layer or one per hidden layer.
    input_noise : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs in training.
    batch_size : int or 'auto', default='auto'
        Minibatch size; 'auto' is ``min(200, n_samples)``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule, used by 'sgd' only. 'invscaling' is ``learning_rate_init / (t +
        1) ** power_t`` with ``t`` the number of updates; 'adaptive' divides the
        rate by 5 whenever the stopping criterion stalls for ``n_iter_no_change``
        epochs, and stops below 1e-6.
    learning_rate_init : float, default=1e-3
        Initial learning rate.
    power_t : float, default=0.5
        Exponent of 'invscaling'.
    max_iter : int, default=200
        Maximum number of epochs.
    shuffle : bool, default=True
        Shuffle the samples at every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, shuffling, initialisation, dropout and noise.
    tol : float, default=1e-4
        Minimum improvement of the monitored quantity (the training loss, or the
        validation score with ``early_stopping``) to reset the patience.
    verbose : bool, default=False
        Print one line per epoch: loss, validation score, elapsed time.
    warm_start : bool, default=False
        Start ``fit`` from the current parameters (the optimizer state restarts).
    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1).
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd'.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the data, stop when the
        validation score has not improved by ``tol`` for ``n_iter_no_change``
        epochs, and restore the best epoch's parameters on every exit (including
        ``max_iter``).
    validation_fraction : float, default=0.1
        Held-out share for early stopping, in (0, 1).
    n_iter_no_change : int, default=10
        Patience, in epochs.
    scoring : {'loss', 'accuracy'}, default='loss'
        Validation score for early stopping: the negative validation loss, or the
        accuracy (for multilabel targets, the subset accuracy; among epochs of
        equal accuracy the lowest validation loss is kept).
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's moment decays, in [0, 1).
    epsilon : float, default=1e-8
        Adam's denominator offset.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (the output indices for multilabel targets).
    coefs_ : list of ndarray
        ``coefs_[i]`` of shape ``(layer_sizes[i], layer_sizes[i + 1])``.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` of shape ``(layer_sizes[i + 1],)``.
    feature_importances_ : ndarray of shape (n_features,)
        Euclidean norm of each input's first-layer weights; exactly zero for
        inputs that L1 cut off, so ``SelectFromModel`` can select features.
    loss_ : float
        Objective (training loss plus penalty) of the last epoch.
    best_loss_ : float or None
        Lowest objective reached; None with early stopping.
    loss_curve_ : list of float
        Objective at each epoch (mean over the epoch's minibatches).
    validation_scores_ : list of float or None
        Validation score (see ``scoring``) at each epoch; None without early
        stopping.
    validation_loss_curve_ : list of float or None
        Validation loss at each epoch; None without early stopping.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    best_epoch_ : int or None
        Epoch (counted from 1) whose parameters early stopping restored.
    n_iter_ : int
        Number of epochs run.
    t_ : int
        Number of training samples seen by the optimizer.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` has string column names.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        'softmax' or 'logistic'.

    Notes
    -----
    ``partial_fit`` runs one epoch over the data it is given. It never holds out
    data: with ``early_stopping=True`` it ignores early stopping (no split, no
    stopping, no restoration) and says so with a UserWarning.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skreg.neural_network import RegularizedMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = RegularizedMLPClassifier(
    ...     (32,), dropout=0.1, weight_decay=1e-2, learning_rate_init=0.01,
    ...     early_stopping=True, validation_fraction=0.2, random_state=0,
    ... ).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> bool(clf.score(X, y) > 0.9)
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        solver="adam",
        alpha=1e-4,
        l1_ratio=0.0,
        weight_decay=0.0,
        dropout=0.0,
        input_noise=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        scoring="loss",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        class_weight=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.input_noise = input_noise
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.scoring = scoring
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.class_weight = class_weight

    # ------------------------------------------------------------------ checks
    def _check_params(self):
        """Validate the hyperparameters; return the derived values fit needs."""
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        for k, size in enumerate(sizes):
            check_int(size, f"hidden_layer_sizes[{k}]", low=1)
        check_choice(self.activation, "activation", ACTIVATIONS)
        check_choice(self.solver, "solver", _SOLVERS)
        check_choice(self.learning_rate, "learning_rate", _SCHEDULES)
        check_choice(self.scoring, "scoring", _SCORINGS)
        check_real(self.alpha, "alpha", low=0)
        check_real(self.l1_ratio, "l1_ratio", low=0, high=1)
        check_real(self.weight_decay, "weight_decay", low=0)
        check_real(self.input_noise, "input_noise", low=0)
        check_real(self.learning_rate_init, "learning_rate_init", low=0,
                   closed="neither")
        check_real(self.power_t, "power_t", low=0)
        check_real(self.tol, "tol", low=0)
        _rate(self.momentum, "momentum")
        _rate(self.beta_1, "beta_1")
        _rate(self.beta_2, "beta_2")
        check_real(self.epsilon, "epsilon", low=0, closed="neither")
        check_real(self.validation_fraction, "validation_fraction", low=0, high=1,
                   closed="neither")
        check_int(self.max_iter, "max_iter", low=1)
        check_int(self.n_iter_no_change, "n_iter_no_change", low=1)
        if not (self.batch_size == "auto" or isinstance(self.batch_size, Integral)):
            raise ValueError(
                f"batch_size must be 'auto' or a positive int, got {self.batch_size!r}."
            )
        if self.batch_size != "auto":
            check_int(self.batch_size, "batch_size", low=1)
        if np.ndim(self.dropout) == 0:
            rates = [_rate(self.dropout, "dropout")] * len(sizes)
        else:
            rates = [_rate(r, f"dropout[{k}]") for k, r in enumerate(self.dropout)]
            if len(rates) != len(sizes):
                raise ValueError(
                    f"dropout has {len(rates)} rates but there are {len(sizes)} "
                    "hidden layers; give one rate per hidden layer or a float."
                )
        return sizes, rates

    def _validate_targets(self, y, classes, first_call):
        """Encode ``y`` as a 0/1 matrix; fit the label binarizer on the first call."""
        if getattr(y, "ndim", 1) == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if first_call:
            lb = LabelBinarizer()
            lb.fit(y if classes is None else classes)
            if type_of_target(y) != "multilabel-indicator" and len(lb.classes_) < 2:
                raise ValueError(
                    "RegularizedMLPClassifier needs samples of at least 2 classes; "
                    f"got 1 class: {lb.classes_[0]!r}."
                )
            self._label_binarizer = lb
            self.classes_ = lb.classes_
        elif classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"classes={classes!r} differs from the classes of the first call, "
                f"{self.classes_!r}."
            )
        lb = self._label_binarizer
        if lb.y_type_ == "multilabel-indicator":
            if type_of_target(y) != "multilabel-indicator" or (
                y.shape[1] != len(self.classes_)
            ):
                raise ValueError(
                    "y must be a multilabel indicator matrix with "
                    f"{len(self.classes_)} columns, as in the first fit."
                )
        elif not np.isin(y, self.classes_).all():
            unknown = np.setdiff1d(np.unique(y), self.classes_)
            raise ValueError(
                f"y contains labels {unknown!r} not in classes_ {self.classes_!r}; "
                "with warm_start or partial_fit the classes must not change."
            )
        return y, lb.transform(y)

    def _sample_weight(self, sample_weight, y, n_samples):
        sw = np.ones(n_samples)
        if sample_weight is not None:
            given = np.asarray(sample_weight, dtype=np.float64)
            if given.ndim == 0:
                given = np.full(n_samples, float(given))
            if given.shape != (n_samples,):
                raise ValueError(
                    f"sample_weight must have shape ({n_samples},), got {given.shape}."
                )
            if not np.all(np.isfinite(given)) or np.any(given < 0):
                raise ValueError("sample_weight must be finite and non-negative.")
            sw = sw * given
        if self.class_weight is not None:
            sw = sw * compute_sample_weight(self.class_weight, y)
        if sw.sum() <= 0:
            raise ValueError("sample_weight (times class_weight) sums to zero.")
        return sw

    # ----------------------------------------------------------------- fitting
    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; float32 input trains in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight, classes=None, incremental=False)

    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Run one epoch over ``X, y``, continuing from the current state.

        Early stopping is ignored here (no held-out split, no stopping, no
        restoring), with a UserWarning when ``early_stopping=True``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call unless ``y`` is a
            multilabel indicator matrix.

        Returns
        -------
        self : object
        """
        if self.early_stopping:
            warnings.warn(
                "partial_fit ignores early_stopping=True: it holds out no data.",
                UserWarning,
                stacklevel=2,
            )
        return self._fit(X, y, sample_weight, classes=classes, incremental=True)

    def _fit(self, X, y, sample_weight, classes, incremental):
        sizes, rates = self._check_params()
        first_call = not hasattr(self, "coefs_") or not (
            self.warm_start or incremental
        )
        if incremental and first_call and classes is None:
            if type_of_target(y) != "multilabel-indicator":
                raise ValueError("classes must be passed on the first partial_fit.")
        X, y = validate_data(
            self, X, y, reset=first_call, dtype=[np.float64, np.float32],
            multi_output=True,
        )
        y, Y = self._validate_targets(y, classes, first_call)
        dtype = X.dtype
        Y = Y.astype(dtype)
        sw = self._sample_weight(sample_weight, y, X.shape[0])
        rng = check_random_state(self.random_state)
        if incremental and hasattr(self, "_rng"):
            rng = self._rng  # partial_fit continues the stream of the first call

        validation = None
        early = self.early_stopping and not incremental
        if early:
            X, Y, sw, validation = validation_split(self, X, y, Y, sw, rng)
        sw = (sw * (len(sw) / sw.sum())).astype(dtype)
        unit_weights = np.all(sw == 1)

        n_outputs = Y.shape[1]
        layer_sizes = [X.shape[1], *sizes, n_outputs]
        if first_call:
            self.coefs_, self.intercepts_ = init_params(
                layer_sizes, self.activation, rng, dtype
            )
            self.n_layers_ = len(layer_sizes)
            self.n_outputs_ = n_outputs
            self.out_activation_ = "softmax" if n_outputs > 1 and (
                self._label_binarizer.y_type_ == "multiclass"
            ) else "logistic"
            self.t_, self.n_iter_ = 0, 0
            self.loss_curve_ = []
            self.best_loss_ = np.inf
        elif [len(b) for b in self.intercepts_] != layer_sizes[1:]:
            raise ValueError(
                f"The fitted layer sizes {[len(b) for b in self.intercepts_]} differ "
                f"from {layer_sizes[1:]}; set warm_start=False to refit."
            )
        if not incremental:
            self.n_iter_, self.loss_curve_, self.best_loss_ = 0, [], np.inf

        # The optimizer sees two flat arrays, all weights and all biases, of which
        # coefs_ and intercepts_ are views: a dozen array operations per step
        # instead of a dozen per layer.
        w_flat, self.coefs_ = pack(self.coefs_, dtype)
        b_flat, self.intercepts_ = pack(self.intercepts_, dtype)
        params = [w_flat, b_flat]
        resume = incremental and not first_call and hasattr(self, "_opt_state")
        schedule = self._schedule if resume else new_schedule(self)
        optimizer = build_optimizer(self, schedule)
        state = self._opt_state if resume else optimizer.init(params)

        n_train = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_train)
        else:
            batch_size = self.batch_size
            if batch_size > n_train:
                warnings.warn(
                    f"batch_size={batch_size} exceeds the {n_train} training "
                    "samples; using one batch of all of them.",
                    UserWarning, stacklevel=3,
                )
                batch_size = n_train
        loss_kind = "softmax" if self.out_activation_ == "softmax" else "sigmoid"
        trainer = MinibatchTrainer(
            self.coefs_, self.intercepts_, params, optimizer,
            activation=self.activation, loss=loss_kind, batch_size=batch_size,
            rates=rates, input_noise=self.input_noise, shuffle=self.shuffle,
            sample_weight=None if unit_weights else sw, rng=rng,
        )

        if incremental:
            state, loss = trainer.epoch(X, Y, state)
            self.t_ += X.shape[0]
            self.loss_ = loss + penalty(self.coefs_, self.alpha, self.l1_ratio)
            self.loss_curve_.append(self.loss_)
            self.best_loss_ = min(self.best_loss_ or np.inf, self.loss_)
            self.validation_scores_ = self.validation_loss_curve_ = None
            self.best_validation_score_ = self.best_epoch_ = None
            self.n_iter_ += 1
            self._opt_state, self._schedule, self._rng = state, schedule, rng
            return self

        state = self._train(trainer, X, Y, validation, state, schedule)
        self._opt_state, self._schedule, self._rng = state, schedule, rng
        return self

    def _validate(self, validation, loss_kind):
        """Weighted validation loss and accuracy."""
        Xv, Yv, swv = validation
        Z = forward(self.coefs_, self.intercepts_, Xv, self.activation)[-1]
        loss, _ = loss_and_delta(Z, Yv, loss_kind, swv.astype(Z.dtype))
        if loss_kind == "softmax":
            correct = Z.argmax(axis=1) == Yv.argmax(axis=1)
        else:
            correct = np.all((Z > 0) == (Yv > 0.5), axis=1)
        return loss, float(correct @ swv / swv.sum())

    def _train(self, trainer, X, Y, validation, state, schedule):
        """Epochs until the stopping rule or max_iter; returns the optimizer state."""
        early = validation is not None
        params = trainer.params
        stopper = EarlyStopping(
            self.n_iter_no_change, self.tol, greater_is_better=early, keep_best=early
        )
        self.validation_scores_ = [] if early else None
        self.validation_loss_curve_ = [] if early else None
        adaptive = isinstance(schedule, _optim.PlateauSchedule)
        started = time.perf_counter()
        stopped = False
        for epoch in range(1, self.max_iter + 1):
            state, loss = trainer.epoch(X, Y, state)
            self.t_ += X.shape[0]
            self.loss_ = loss + penalty(self.coefs_, self.alpha, self.l1_ratio)
            self.loss_curve_.append(self.loss_)
            self.n_iter_ += 1
            line = f"Epoch {epoch}: loss = {self.loss_:.6f}"
            if early:
                v_loss, v_acc = self._validate(validation, trainer.loss)
                score = -v_loss if self.scoring == "loss" else v_acc
                self.validation_scores_.append(score)
                self.validation_loss_curve_.append(v_loss)
                stop = stopper.update(score, params, epoch, tiebreak=-v_loss)
                line += f", validation score = {score:.6f}"
            else:
                self.best_loss_ = min(self.best_loss_, self.loss_)
                stop = stopper.update(self.loss_, epoch=epoch)
            if self.verbose:
                print(f"{line}, elapsed = {time.perf_counter() - started:.2f} s")
            if stop and adaptive and schedule.value > _MIN_LEARNING_RATE:
                schedule.reduce()
                stopper.reset_patience()
                if self.verbose:
                    print(f"Learning rate reduced to {schedule.value:g}")
            elif stop:
                stopped = True
                break
        if not stopped:
            what = "validation score" if early else "training loss"
            warnings.warn(
                f"Stopped at max_iter={self.max_iter} epochs while the {what} was "
                f"still improving by more than tol={self.tol} within "
                f"n_iter_no_change={self.n_iter_no_change} epochs; increase "
                "max_iter or tol.",
                ConvergenceWarning,
                stacklevel=4,
            )
        if early:
            stopper.restore(params)
            self.best_validation_score_ = stopper.best_score
            self.best_epoch_ = stopper.best_epoch
            self.best_loss_ = None
        else:
            self.best_validation_score_ = self.best_epoch_ = None
        return state

    # -------------------------------------------------------------- prediction
    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return forward(self.coefs_, self.intercepts_, X, self.activation)[-1]

    def _is_multilabel(self):
        return self._label_binarizer.y_type_ == "multilabel-indicator"

    def predict(self, X):
        """Predict class labels (or the 0/1 indicator matrix for multilabel).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        Z = self._logits(X)
        if self._is_multilabel():
            return (Z > 0).astype(int)
        if self.out_activation_ == "softmax":
            return self.classes_[Z.argmax(axis=1)]
        return self.classes_[(Z[:, 0] > 0).astype(int)]

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            For multilabel targets, each column's own probability.
        """
        Z = self._logits(X)
        kind = "softmax" if self.out_activation_ == "softmax" else "sigmoid"
        P = predict_proba_from_logits(Z, kind)
        if kind == "sigmoid" and not self._is_multilabel():
            P = np.hstack([1 - P, P])
        return P

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self._logits(X)
        if self.out_activation_ == "softmax":
            return log_softmax(Z)
        if self._is_multilabel():
            return log_sigmoid(Z)
        return np.hstack([log_sigmoid(-Z), log_sigmoid(Z)])

    @property
    def feature_importances_(self):
        """ndarray of shape (n_features,): norm of each input's first-layer weights."""
        check_is_fitted(self)
        return np.linalg.norm(self.coefs_[0], axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
