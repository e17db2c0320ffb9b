"""Regularization paths of the lasso, the elastic net and ridge, side by side.

Each curve is one coefficient of a standardized diabetes feature, followed as
the penalty decreases from "everything shrunk to zero" to "almost least
squares". The lasso switches features on one at a time and keeps the others
at exactly zero; the elastic net (here ``l1_ratio=0.5``) does the same but
brings correlated features in together; ridge shrinks every coefficient
smoothly and zeroes none.

``lasso_path`` and ``enet_path`` compute the whole path with warm starts (each
solve starts from the previous one); ``ridge_path`` gets every point of the
ridge path exactly from one eigendecomposition. Ridge has no L1 part, so no
alpha zeroes it: its automatic grid starts where every direction is shrunk
to 1% of its least-squares size. Each panel uses its estimator's own
``alpha`` scale (ridge follows scikit-learn's ``Ridge``, without the ``1/n``
on the loss).

Run: ``python examples/plot_regularization_paths.py`` (writes a PNG and prints
its path; ``SKREG_EXAMPLES_OUTDIR`` chooses the folder).
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from skreg import enet_path, lasso_path, ridge_path

QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
OUT = (Path(os.environ.get("SKREG_EXAMPLES_OUTDIR", "."))
       / "plot_regularization_paths.png")
N_ALPHAS = 20 if QUICK else 100

data = load_diabetes()
X = StandardScaler().fit_transform(data.data)
y = data.target

lasso = lasso_path(X, y, alphas=N_ALPHAS)
enet = enet_path(X, y, l1_ratio=0.5, alphas=N_ALPHAS)
ridge = ridge_path(X, y, alphas=N_ALPHAS)

fig, axes = plt.subplots(2, 3, figsize=(14, 6.4), sharex="col", sharey="row",
                         height_ratios=[3, 1], layout="constrained")
colors = plt.get_cmap("tab10")(np.arange(X.shape[1]))
panels = [
    ("LassoRegressor (lasso_path)", lasso.alphas, lasso.coefs),
    ("ElasticNet, l1_ratio=0.5 (enet_path)", enet.alphas, enet.coefs),
    ("RidgeRegressor (ridge_path)", ridge.alphas, ridge.coefs),
]
for (ax, ax_count), (title, alphas, coefs) in zip(axes.T, panels, strict=True):
    for j in range(coefs.shape[0]):
        ax.plot(alphas, coefs[j], color=colors[j], label=data.feature_names[j])
    ax.set_title(title, fontsize=10)
    # Exact zeros only: ridge's coefficients get tiny at large alpha, never 0.
    ax_count.step(alphas, (coefs != 0).sum(axis=0), where="mid", color="k")
    ax_count.set_xscale("log")
    ax_count.invert_xaxis()  # left to right: less and less regularization
    ax_count.set_xlabel("alpha (log scale, decreasing)")
axes[0, 0].set_ylabel("coefficient\n(standardized features)")
axes[1, 0].set_ylabel("non-zero\ncoefficients")
axes[1, 0].set_yticks([0, 5, 10])
axes[0, -1].legend(loc="upper left", fontsize=7, ncol=2)
fig.suptitle("diabetes: the lasso selects, ridge only shrinks, the elastic net "
             "does both")
fig.savefig(OUT, dpi=100)
print(f"saved figure to {OUT.resolve()}")
