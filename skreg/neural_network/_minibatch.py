"""One epoch of minibatch training: batches, forward, loss, backward, step.

:class:`MinibatchTrainer` owns the buffers of the hot loop, so an epoch
allocates nothing per batch beyond the noise and dropout draws. It reads and
updates the parameters it is given; it sets no estimator attribute.
"""

import numpy as np

from . import _optim
from ._network import backward, dropout_masks, forward, loss_and_delta
from ._training import pack

__all__ = ["Batches", "MinibatchTrainer"]


class Batches:
    """Reusable per-batch buffers, so the hot loop allocates nothing."""

    def __init__(self, batch_size, layer_sizes, dtype):
        b = batch_size
        self.layers = [np.empty((b, m), dtype) for m in layer_sizes[1:]]
        self.deltas = [np.empty((b, m), dtype) for m in layer_sizes[1:-1]]
        self.out_delta = np.empty((b, layer_sizes[-1]), dtype)
        self.X = np.empty((b, layer_sizes[0]), dtype)
        self.Y = np.empty((b, layer_sizes[-1]), dtype)

        self._views = {}

    def views(self, m):
        """Buffers for a batch of ``m`` samples (C-contiguous row slices)."""
        if m not in self._views:  # two sizes per fit: full and last batch
            self._views[m] = (
                self.X[:m],
                self.Y[:m],
                [a[:m] for a in self.layers],
                [d[:m] for d in self.deltas],
                self.out_delta[:m],
            )
        return self._views[m]


class MinibatchTrainer:
    """Runs epochs of minibatch gradient steps on one network.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        The network's layers: views into ``params``, updated in place.
    params : list of ndarray
        The flat arrays the optimizer updates (all weights, all biases).
    optimizer : GradientTransformation
    activation : str
        Hidden activation.
    loss : {'softmax', 'sigmoid'}
    batch_size : int
    rates : list of float
        Dropout rate of each hidden layer.
    input_noise : float
        Standard deviation of the Gaussian noise added to each batch's inputs.
    shuffle : bool
    sample_weight : ndarray of shape (n_samples,) or None
        Normalised to mean 1; None for unit weights.
    rng : numpy.random.RandomState
        Draws the order, the noise and the dropout masks.
    """

    def __init__(self, coefs, intercepts, params, optimizer, *, activation, loss,
                 batch_size, rates, input_noise, shuffle, sample_weight, rng):
        dtype = params[0].dtype
        self.coefs, self.intercepts, self.params = coefs, intercepts, params
        self.optimizer, self.activation, self.loss = optimizer, activation, loss
        self.batch_size, self.rates = batch_size, rates
        self.input_noise, self.shuffle = input_noise, shuffle
        self.sample_weight, self.rng = sample_weight, rng
        self.sizes = [len(b) for b in intercepts[:-1]]
        layer_sizes = [coefs[0].shape[0], *(len(b) for b in intercepts)]
        self.buffers = Batches(batch_size, layer_sizes, dtype)
        # gradients in two flat arrays shaped like params, with per-layer views
        w_grad, self.coef_grads = pack(coefs, dtype)
        b_grad, self.intercept_grads = pack(intercepts, dtype)
        self.grads = [w_grad, b_grad]

    def _batch_inputs(self, X, Y, rows, Xb, Yb):
        """``(Xb, Yb, sb)`` for the batch ``rows`` (a slice or an index array),
        written into the buffers ``Xb, Yb`` where a copy is needed."""
        sw = self.sample_weight
        if isinstance(rows, slice):
            Yb = Y[rows]
            if self.input_noise > 0:
                np.copyto(Xb, X[rows])  # the noise must not reach X itself
            else:
                Xb = X[rows]
        else:
            np.take(X, rows, axis=0, out=Xb, mode="clip")
            np.take(Y, rows, axis=0, out=Yb, mode="clip")
        if self.input_noise > 0:
            noise = self.input_noise * self.rng.standard_normal(Xb.shape)
            Xb += noise.astype(Xb.dtype, copy=False)
        return Xb, Yb, None if sw is None else sw[rows]

    def epoch(self, X, Y, state):
        """One pass over the (shuffled) minibatches of ``X, Y``.

        Returns the optimizer's new state and the mean data loss of the batches
        (before their steps, weighted by batch size).
        """
        n, bs, rng = X.shape[0], self.batch_size, self.rng
        dropout = any(self.rates)
        order = rng.permutation(n) if self.shuffle else None
        total = 0.0
        for start in range(0, n, bs):
            stop = min(start + bs, n)
            m = stop - start
            rows = slice(start, stop) if order is None else order[start:stop]
            Xb, Yb, layers, deltas, out_delta = self.buffers.views(m)
            Xb, Yb, sb = self._batch_inputs(X, Y, rows, Xb, Yb)
            masks = (dropout_masks(self.rates, m, self.sizes, rng, X.dtype)
                     if dropout else None)
            acts = forward(self.coefs, self.intercepts, Xb, self.activation,
                           masks=masks, out=layers)
            loss, delta = loss_and_delta(acts[-1], Yb, self.loss, sb, out=out_delta)
            backward(self.coefs, acts, delta, self.activation, masks=masks,
                     rates=self.rates, coef_grads=self.coef_grads,
                     intercept_grads=self.intercept_grads, deltas=deltas)
            updates, state = self.optimizer.update(self.grads, state, self.params)
            _optim.apply_updates(self.params, updates)
            total += loss * m
        return state, total / n
