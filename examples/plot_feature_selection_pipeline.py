"""Feature selection in a Pipeline: keep what the lasso keeps, then fit a model.

``SelectFromModel(LassoRegressor(alpha))`` keeps the features whose lasso
coefficient is not zero; a plain ``LinearRegression`` is then fitted on those
features alone, without the lasso's shrinkage. ``GridSearchCV`` tunes the
selector's ``alpha`` through the pipeline (``selectfrommodel__estimator__alpha``)
and so picks how many features to keep by cross-validation.

The data are scikit-learn's diabetes features plus 20 columns of pure noise:
a good selector drops the noise first. ``threshold=np.finfo(float).tiny``
keeps exactly the non-zero coefficients (``SelectFromModel``'s default
threshold for an L1 model is 1e-5, not zero).

Run: ``python examples/plot_feature_selection_pipeline.py`` (writes a PNG and
prints its path; ``SKREG_EXAMPLES_OUTDIR`` chooses the folder).
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import LassoRegressor

QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
OUT = (Path(os.environ.get("SKREG_EXAMPLES_OUTDIR", "."))
       / "plot_feature_selection_pipeline.png")
N_NOISE = 20

data = load_diabetes()
rng = np.random.RandomState(0)
X = np.hstack([data.data, rng.randn(data.data.shape[0], N_NOISE)])
y = data.target
names = list(data.feature_names) + [f"noise{i}" for i in range(N_NOISE)]
n_real = data.data.shape[1]

pipe = make_pipeline(
    StandardScaler(),
    SelectFromModel(LassoRegressor(), threshold=np.finfo(float).tiny),
    LinearRegression(),
)
alphas = np.logspace(-1, 1.6, 8 if QUICK else 30)
search = GridSearchCV(
    pipe, {"selectfrommodel__estimator__alpha": alphas},
    cv=KFold(5, shuffle=True, random_state=0), return_train_score=True,
).fit(X, y)

# How many features each alpha keeps, when the selector sees all the data.
kept = np.array([
    clone(pipe).set_params(selectfrommodel__estimator__alpha=a).fit(X, y)[1]
    .get_support().sum() for a in alphas
])
mean = search.cv_results_["mean_test_score"]
std = search.cv_results_["std_test_score"]
baseline = cross_val_score(
    make_pipeline(StandardScaler(), LinearRegression()), X, y,
    cv=KFold(5, shuffle=True, random_state=0),
).mean()

fig, (ax, ax_kept) = plt.subplots(1, 2, figsize=(13, 4.6), width_ratios=[1, 1.4],
                                  layout="constrained")
ax.plot(kept, mean, "o-", color="tab:blue",
        label="Lasso selects, LinearRegression fits (CV mean)")
# Standard error of the mean over the 5 folds: the noise of the estimate.
se = std / np.sqrt(search.n_splits_)
ax.fill_between(kept, mean - se, mean + se, color="tab:blue", alpha=0.2,
                label="± 1 standard error")
ax.plot(kept, search.cv_results_["mean_train_score"], "s--", color="0.5", ms=4,
        label="training score")
ax.axhline(baseline, color="tab:red", ls=":",
           label=f"LinearRegression on all {X.shape[1]} features")
best_kept = kept[search.best_index_]
ax.axvline(best_kept, color="k", lw=0.8, ls="--")
ax.set_xlabel("number of features kept by SelectFromModel(LassoRegressor)")
ax.set_ylabel("R² (5-fold cross-validation)")
ax.set_title(f"GridSearchCV keeps {best_kept} features "
             f"(alpha={search.best_params_['selectfrommodel__estimator__alpha']:.3g})")
ax.legend(fontsize=8, loc="lower right")

best = search.best_estimator_
support = best[1].get_support()
coef_full = np.zeros(X.shape[1])
coef_full[support] = best[-1].coef_
ax_kept.bar(np.arange(X.shape[1]), coef_full,
            color=["tab:blue" if j < n_real else "0.6" for j in range(X.shape[1])])
ax_kept.plot(np.flatnonzero(~support), np.zeros((~support).sum()), "x",
             color="tab:red", label="dropped by the selector")
ax_kept.set_xticks(np.arange(X.shape[1]), names, rotation=90, fontsize=7)
ax_kept.set_ylabel("LinearRegression coefficient")
ax_kept.set_title(f"best pipeline: {support[:n_real].sum()} of {n_real} diabetes "
                  f"features and {support[n_real:].sum()} of {N_NOISE} noise "
                  "columns kept")
ax_kept.legend(fontsize=8)
fig.savefig(OUT, dpi=100)
print(f"best alpha {search.best_params_}, {best_kept} features kept, "
      f"CV R2 {search.best_score_:.3f} vs {baseline:.3f} with all features")
print(f"saved figure to {OUT.resolve()}")
