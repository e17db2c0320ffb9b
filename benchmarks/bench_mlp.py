"""RegularizedMLPClassifier side by side with scikit-learn's MLPClassifier.

Run by hand: ``python benchmarks/bench_mlp.py [--quick]``.

1. Speed: the same architecture (256, 128), adam, batch 200, on a 50 000 x 200
   five-class problem, in float32 and float64. Both contenders run ``EPOCHS``
   epochs per fit (``tol=0`` so neither stops early), alternating within one
   process; the per-epoch time is the fit time over ``n_iter_`` and the median of
   ``REPEATS`` fits is reported with the ratio skreg / scikit-learn. This runs
   twice: with BLAS's default threads, and with BLAS held to one thread (on a
   shared, oversubscribed machine, threaded BLAS stalls unpredictably and the
   one-thread numbers are the reproducible ones).
2. Accuracy on scikit-learn's digits, held-out stratified split, 5 seeds:
   scikit-learn's best test accuracy over its own regularization grid (``alpha``,
   ``early_stopping``) against one fixed regularized configuration of ours
   (dropout + input noise + decoupled weight decay + early stopping). Our
   configuration is fixed in advance; it is not chosen on these test splits, while
   scikit-learn's score is the best of its grid on each test split.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skreg.neural_network import RegularizedMLPClassifier

EPOCHS = 3
REPEATS = 5
SEEDS = range(5)
# Chosen on other splits, never on the ones reported here: among dropout in
# {0.1, 0.25, 0.4}, weight_decay in {0.01, 0.1}, input_noise in {0.1, 0.2} and
# validation_fraction in {0.1, 0.15} on seeds 100-104, then the six best on
# seeds 105-114 too; this has the best mean test accuracy over the 15 splits.
OURS = dict(
    hidden_layer_sizes=(256, 128),
    dropout=0.1,
    weight_decay=0.01,
    input_noise=0.2,
    alpha=0.0,
    early_stopping=True,
    validation_fraction=0.15,
    n_iter_no_change=20,
    max_iter=300,
)
SK_GRID = [
    dict(alpha=alpha, early_stopping=early)
    for alpha in (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
    for early in (False, True)
]


def time_epoch(est, X, y):
    start = time.perf_counter()
    est.fit(X, y)
    return (time.perf_counter() - start) / est.n_iter_


def speed(n_samples, repeats, threads=None):
    X, y = make_classification(
        n_samples, 200, n_informative=60, n_classes=5, random_state=0
    )
    common = dict(
        hidden_layer_sizes=(256, 128), solver="adam", batch_size=200,
        max_iter=EPOCHS, tol=0.0, n_iter_no_change=EPOCHS + 1, random_state=0,
    )
    print(f"== per-epoch time, {n_samples} x 200, 5 classes, (256, 128), adam, "
          f"batch 200, {EPOCHS} epochs per fit, median of {repeats}, BLAS threads: "
          f"{threads or 'default'} ==")
    for dtype in (np.float32, np.float64):
        Xd = X.astype(dtype)
        times = {"sklearn": [], "skreg": []}
        for r in range(repeats):
            contenders = [
                ("sklearn", MLPClassifier(**common)),
                ("skreg", RegularizedMLPClassifier(**common)),
            ]
            if r % 2:
                contenders.reverse()  # alternate who runs first
            for name, est in contenders:
                with threadpool_limits(limits=threads):
                    times[name].append(time_epoch(est, Xd, y))
        sk, ours = np.median(times["sklearn"]), np.median(times["skreg"])
        print(f"{np.dtype(dtype).name}: sklearn {sk:.3f} s  skreg {ours:.3f} s  "
              f"ratio skreg/sklearn {ours / sk:.2f}")
        print(f"    all runs: sklearn {np.round(times['sklearn'], 3).tolist()}  "
              f"skreg {np.round(times['skreg'], 3).tolist()}")


def digits(seeds):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    print("== digits, 25% held out (stratified) ==")
    print(f"skreg config: {OURS}")
    rows = []
    for seed in seeds:
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.25, stratify=y, random_state=seed
        )
        sk_scores = []
        for params in SK_GRID:
            sk = MLPClassifier((256, 128), max_iter=300, random_state=seed, **params)
            sk_scores.append(sk.fit(X_tr, y_tr).score(X_te, y_te))
        best = int(np.argmax(sk_scores))
        ours = RegularizedMLPClassifier(random_state=seed, **OURS).fit(X_tr, y_tr)
        acc = ours.score(X_te, y_te)
        rows.append((sk_scores[best], acc))
        print(f"seed {seed}: sklearn best {sk_scores[best]:.4f} ({SK_GRID[best]})  "
              f"skreg {acc:.4f} (epochs {ours.n_iter_}, best {ours.best_epoch_})")
    sk_best, ours = np.array(rows).T
    print(f"mean: sklearn best {sk_best.mean():.4f}  skreg {ours.mean():.4f}  "
          f"seeds where skreg >= sklearn best: {(ours >= sk_best).sum()}/{len(rows)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller, for a try")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    n_samples = 10_000 if args.quick else 50_000
    repeats = 2 if args.quick else REPEATS
    speed(n_samples, repeats)
    speed(n_samples, repeats, threads=1)
    with threadpool_limits(limits=1):  # small matrices: threads only add stalls
        digits(range(1) if args.quick else SEEDS)
