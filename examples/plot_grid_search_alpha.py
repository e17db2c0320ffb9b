"""Tuning alpha and l1_ratio with GridSearchCV, and the validation curve.

skreg's estimators expose their hyperparameters flat, exactly as scikit-learn
names them, so an ordinary ``GridSearchCV`` tunes them; here ``ElasticNet``
inside a ``Pipeline`` with a scaler, over ``alpha`` and ``l1_ratio``.

Left: the cross-validated R² against alpha for each l1_ratio. Right: for the
best l1_ratio, the training score next to the validation score. At large
alpha both are low (underfitting: too much shrinkage); as alpha decreases
the training score keeps rising while the validation score levels off or
drops (the model starts fitting noise). The best alpha is where the
validation curve peaks. ``ElasticNetCV`` finds the same kind of answer from
one warm-started path per fold, faster; its choice is marked too.

Run: ``python examples/plot_grid_search_alpha.py`` (writes a PNG and prints its
path; ``SKREG_EXAMPLES_OUTDIR`` chooses the folder).
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNet, ElasticNetCV

QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
OUT = Path(os.environ.get("SKREG_EXAMPLES_OUTDIR", ".")) / "plot_grid_search_alpha.png"

# Diabetes with noise columns: without them the curves are nearly flat at
# small alpha, and overfitting, the thing the curve is about, hardly shows.
data = load_diabetes()
rng = np.random.RandomState(0)
X = np.hstack([data.data, rng.randn(data.data.shape[0], 40)])
y = data.target

alphas = np.logspace(-3, 1.5, 6 if QUICK else 30)
l1_ratios = [0.5, 1.0] if QUICK else [0.1, 0.5, 0.9, 1.0]
cv = KFold(5, shuffle=True, random_state=0)
search = GridSearchCV(
    make_pipeline(StandardScaler(), ElasticNet()),
    {"elasticnet__alpha": alphas, "elasticnet__l1_ratio": l1_ratios},
    # Two worker processes; the quick run (the test suite) saves their start-up.
    cv=cv, return_train_score=True, n_jobs=1 if QUICK else 2,
).fit(X, y)
path_cv = make_pipeline(
    StandardScaler(), ElasticNetCV(l1_ratio=l1_ratios, cv=cv)).fit(X, y)[-1]

results = search.cv_results_
params_alpha = np.asarray(results["param_elasticnet__alpha"], dtype=float)
params_ratio = np.asarray(results["param_elasticnet__l1_ratio"], dtype=float)
best_alpha = search.best_params_["elasticnet__alpha"]
best_ratio = search.best_params_["elasticnet__l1_ratio"]

fig, (ax, ax_curve) = plt.subplots(1, 2, figsize=(12, 4.6), sharey=True,
                                   layout="constrained")
colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(l1_ratios)))
for ratio, color in zip(l1_ratios, colors, strict=True):
    rows = params_ratio == ratio
    ax.plot(params_alpha[rows], results["mean_test_score"][rows], color=color,
            label=f"l1_ratio={ratio:g}")
ax.plot(best_alpha, search.best_score_, "*", color="tab:red", ms=14,
        label=f"GridSearchCV best: alpha={best_alpha:.3g}, l1_ratio={best_ratio:g}")
ax.axvline(path_cv.alpha_, color="0.4", ls="--", lw=1,
           label=f"ElasticNetCV: alpha={path_cv.alpha_:.3g}, "
           f"l1_ratio={path_cv.l1_ratio_:g}")
ax.set_title("cross-validated R² for each l1_ratio")
ax.set_ylabel("R² (5-fold cross-validation)")

rows = params_ratio == best_ratio
mean, std = results["mean_test_score"][rows], results["std_test_score"][rows]
ax_curve.plot(params_alpha[rows], results["mean_train_score"][rows], "s--",
              color="0.4", ms=4, label="training score")
ax_curve.plot(params_alpha[rows], mean, "o-", color="tab:blue", ms=4,
              label="validation score")
ax_curve.fill_between(params_alpha[rows], mean - std, mean + std,
                      color="tab:blue", alpha=0.15, label="± 1 std over folds")
ax_curve.axvline(best_alpha, color="tab:red", ls=":", label="best alpha")
ax_curve.set_title(f"validation curve at l1_ratio={best_ratio:g}")
for a in (ax, ax_curve):
    a.set_xscale("log")
    a.invert_xaxis()  # left to right: less and less regularization
    a.set_xlabel("alpha (log scale, decreasing)")
    a.legend(fontsize=8, loc="lower center")
ax.set_ylim(bottom=max(-0.1, min(results["mean_test_score"]) - 0.02))
fig.suptitle(f"diabetes + 40 noise columns: {search.n_splits_}-fold GridSearchCV "
             f"over {len(alphas)} alphas x {len(l1_ratios)} l1_ratios")
fig.savefig(OUT, dpi=100)
print(f"GridSearchCV best {search.best_params_} (R2 {search.best_score_:.3f}); "
      f"ElasticNetCV alpha={path_cv.alpha_:.3g}, l1_ratio={path_cv.l1_ratio_:g}")
print(f"saved figure to {OUT.resolve()}")
