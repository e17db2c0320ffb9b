"""Regularizing the network: dropout, weight decay versus L2, early stopping.

``RegularizedMLPClassifier`` on 500 training images of scikit-learn's digits,
with a wide hidden layer so that it can overfit:

1. Dropout. Without it the validation loss bottoms out early and then climbs
   while the training loss keeps falling: the network grows over-confident on
   images it has memorised. Dropout (units zeroed at random in training
   passes) keeps the two curves closer.
2. Early stopping. ``early_stopping=True`` holds out ``validation_fraction``
   of the training data, stops once the validation score has not improved for
   ``n_iter_no_change`` epochs and restores the parameters of the best epoch
   (marked), not the last one.
3-4. Weight decay versus an L2 penalty under Adam. ``alpha`` puts
   ``alpha/2 ||W||²`` in the objective, so its gradient ``alpha W`` goes
   through Adam, which divides each weight's step by its running gradient
   scale: weights with large gradients are barely shrunk. ``weight_decay``
   is decoupled (AdamW): after each step every weight shrinks by the same
   factor ``1 - lr * weight_decay``. The same number therefore means very
   different things for the two knobs, and they must be tuned separately.

Run: ``python examples/plot_mlp_regularization.py`` (writes a PNG and prints its
path; ``SKREG_EXAMPLES_OUTDIR`` chooses the folder).
"""

import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skreg import RegularizedMLPClassifier

QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
OUT = Path(os.environ.get("SKREG_EXAMPLES_OUTDIR", ".")) / "plot_mlp_regularization.png"
EPOCHS = 12 if QUICK else 120
HIDDEN = (32,) if QUICK else (256,)
STRENGTHS = np.logspace(-4, 1, 3 if QUICK else 6)

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, train_size=500, random_state=0, stratify=y)
common = dict(hidden_layer_sizes=HIDDEN, learning_rate_init=1e-2, random_state=0)

# Runs capped at a fixed number of epochs are meant to stop early; the
# warnings that say so would only clutter the output.
warnings.simplefilter("ignore", ConvergenceWarning)


def watched(**params):
    """Fit with a held-out 20% scored every epoch, never stopping early.

    Patience longer than the run keeps every epoch's validation loss without
    ending the run: the curves of the whole run are what the panel shows.
    """
    return RegularizedMLPClassifier(
        alpha=0.0, max_iter=EPOCHS, early_stopping=True, validation_fraction=0.2,
        n_iter_no_change=EPOCHS + 1, **common, **params).fit(X_train, y_train)


runs = {"no dropout": watched(), "dropout 0.3": watched(dropout=0.3)}
stopped = RegularizedMLPClassifier(
    alpha=0.0, max_iter=EPOCHS, early_stopping=True, validation_fraction=0.2,
    n_iter_no_change=max(3, EPOCHS // 12), **common).fit(X_train, y_train)

decay_results = {"L2 penalty (alpha)": [], "decoupled weight_decay": []}
for strength in STRENGTHS:
    for name, params in [("L2 penalty (alpha)", dict(alpha=strength)),
                         ("decoupled weight_decay",
                          dict(alpha=0.0, weight_decay=strength))]:
        model = RegularizedMLPClassifier(max_iter=EPOCHS // 2, **common, **params)
        model.fit(X_train, y_train)
        norm = np.sqrt(sum(np.sum(W**2) for W in model.coefs_))
        decay_results[name].append((norm, model.score(X_test, y_test)))

fig, axes = plt.subplots(2, 2, figsize=(12, 8.5), layout="constrained")
ax = axes[0, 0]
for (label, model), color in zip(runs.items(), ["tab:orange", "tab:green"],
                                 strict=True):
    epochs = np.arange(1, model.n_iter_ + 1)
    ax.plot(epochs, model.loss_curve_, color=color, label=f"{label}: training")
    ax.plot(epochs, model.validation_loss_curve_, color=color, ls="--",
            label=f"{label}: validation")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy (log scale)")
ax.set_title("1. training vs validation loss, with and without dropout")
ax.legend(fontsize=8)

ax = axes[0, 1]
full = runs["no dropout"]
ax.plot(np.arange(1, full.n_iter_ + 1), full.validation_loss_curve_, color="0.75",
        label="the same network run to the end")
epochs = np.arange(1, stopped.n_iter_ + 1)
ax.plot(epochs, stopped.validation_loss_curve_, color="tab:blue",
        label=f"early stopping (patience {stopped.n_iter_no_change})")
best = stopped.best_epoch_
ax.plot(best, stopped.validation_loss_curve_[best - 1], "*", color="tab:red",
        ms=15, label=f"restored: epoch {best}")
ax.axvline(stopped.n_iter_, color="tab:blue", ls=":",
           label=f"stopped after epoch {stopped.n_iter_}")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("validation cross-entropy (log scale)")
ax.set_title("2. early stopping keeps the best epoch's weights")
ax.legend(fontsize=8)

for name, marker in [("L2 penalty (alpha)", "o-"), ("decoupled weight_decay", "s-")]:
    norms, scores = np.array(decay_results[name]).T
    axes[1, 0].plot(STRENGTHS, norms, marker, label=name)
    axes[1, 1].plot(STRENGTHS, scores, marker, label=name)
axes[1, 0].set_yscale("log")
axes[1, 0].set_ylabel("norm of all weights ||W|| (log scale)")
axes[1, 0].set_title("3. how much each knob shrinks the weights (Adam)")
axes[1, 1].set_ylabel("test accuracy")
axes[1, 1].set_title("4. and what it does to accuracy")
for ax in axes[1]:
    ax.set_xscale("log")
    ax.set_xlabel("strength: alpha, or weight_decay (log scale)")
    ax.legend(fontsize=8)
fig.suptitle(f"RegularizedMLPClassifier on digits: 500 training images, hidden "
             f"layer {HIDDEN[0]}, Adam, learning rate 1e-2")
fig.savefig(OUT, dpi=100)
print(f"early stopping restored epoch {best} of {stopped.n_iter_}; test accuracy "
      f"{stopped.score(X_test, y_test):.3f}")
print(f"saved figure to {OUT.resolve()}")
