"""The demo's figures, drawn with matplotlib's object API.

``matplotlib.figure.Figure`` renders to files without pyplot, so the demo
never picks a GUI backend or touches pyplot's global state. matplotlib is
imported when a figure is drawn, not with this module, so that the package
(and pytest's doctest collection) imports without the optional extra.
"""

from pathlib import Path

import numpy as np

from .linear_model import lasso_path

INFORMATIVE = "tab:blue"
NOISE = "0.65"


def _new_figure(**kwargs):
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _save(fig, folder, name):
    path = Path(folder) / name
    fig.savefig(path, dpi=110)
    return path


def diabetes_path(artifacts, folder):
    """The lasso path next to its cross-validation curve."""
    cv = artifacts["lasso_cv"]
    n_inf = artifacts["n_informative"]
    path = lasso_path(artifacts["X_train"], artifacts["y_train"], alphas=cv.alphas_)
    fig = _new_figure(figsize=(11, 4.2), layout="constrained")
    ax_path, ax_cv = fig.subplots(1, 2)
    # Noise first, so that the informative features are drawn on top.
    for j in reversed(range(path.coefs.shape[0])):
        informative = j < n_inf
        ax_path.plot(path.alphas, path.coefs[j], lw=1.6 if informative else 0.8,
                     color=INFORMATIVE if informative else NOISE,
                     label=None if j not in (0, n_inf) else
                     ("diabetes feature" if informative else "noise column"))
    for ax in (ax_path, ax_cv):
        ax.set_xscale("log")
        ax.invert_xaxis()  # read left to right as "less regularization"
        ax.axvline(cv.alpha_, color="k", ls="--", lw=1)
        ax.set_xlabel("alpha (log scale, decreasing)")
    ax_path.set_ylabel("coefficient (standardized features)")
    ax_path.set_title("Lasso path: features enter one by one")
    ax_path.legend(loc="upper left", fontsize=8)
    mean = cv.mse_path_.mean(axis=1)
    se = cv.mse_path_.std(axis=1) / np.sqrt(cv.mse_path_.shape[1])
    ax_cv.plot(cv.alphas_, mean, color="tab:red", label="mean held-out MSE")
    ax_cv.fill_between(cv.alphas_, mean - se, mean + se, color="tab:red",
                       alpha=0.2, label="± 1 standard error")
    ax_cv.set_ylabel("held-out mean squared error")
    ax_cv.set_title(f"LassoRegressorCV picks alpha={cv.alpha_:.3g} (dashed)")
    ax_cv.legend(fontsize=8)
    return _save(fig, folder, "diabetes_lasso_path.png")


def diabetes_coefficients(artifacts, folder):
    """Each penalty's coefficients, informative features versus noise."""
    n_inf = artifacts["n_informative"]
    models = [("RidgeRegressorCV (L2)", artifacts["ridge"]),
              (f"ElasticNetCV (l1_ratio={artifacts['enet_cv'].l1_ratio_:g})",
               artifacts["enet_cv"]),
              ("LassoRegressorCV (L1)", artifacts["lasso_cv"])]
    fig = _new_figure(figsize=(11, 6), layout="constrained")
    axes = fig.subplots(len(models), 1, sharex=True)
    index = np.arange(len(artifacts["feature_names"]))
    for ax, (name, model) in zip(axes, models, strict=True):
        coef = model.coef_
        colors = [INFORMATIVE if j < n_inf else NOISE for j in index]
        ax.bar(index, coef, color=colors)
        zeroed = int(np.sum(coef == 0))
        ax.set_title(f"{name}: {zeroed} of {coef.size} coefficients exactly zero",
                     fontsize=10, loc="left")
        ax.axhline(0, color="k", lw=0.6)
        ax.axvspan(n_inf - 0.5, index[-1] + 0.5, color=NOISE, alpha=0.12)
        ax.set_ylabel("coef")
    axes[-1].set_xticks(index, artifacts["feature_names"], rotation=90, fontsize=7)
    fig.suptitle("diabetes: 10 real features (blue) and 30 noise columns (grey band)")
    return _save(fig, folder, "diabetes_coefficients.png")


def digits_curves(artifacts, folder):
    """Training loss and validation accuracy with and without regularization."""
    plain, reg = artifacts["plain"], artifacts["regularized"]
    fig = _new_figure(figsize=(11, 4.2), layout="constrained")
    ax_loss, ax_val = fig.subplots(1, 2)
    reg_label = f"dropout {reg.dropout:g} + weight decay {reg.weight_decay:g}"
    for model, label, color in [(plain, "no regularization", "tab:orange"),
                                (reg, reg_label, "tab:green")]:
        epochs = np.arange(1, len(model.loss_curve_) + 1)
        ax_loss.plot(epochs, model.loss_curve_, color=color, label=label)
        ax_val.plot(epochs, model.validation_loss_curve_, color=color, label=label)
    ax_val.axvline(reg.best_epoch_, color="tab:green", ls="--", lw=1,
                   label=f"early stopping restores epoch {reg.best_epoch_}")
    ax_loss.set_title("training objective")
    ax_val.set_title("validation loss (held-out 15%)")
    for ax in (ax_loss, ax_val):
        ax.set_xlabel("epoch")
        ax.set_yscale("log")  # the first epochs would flatten the rest
        ax.legend(fontsize=8)
    ax_loss.set_ylabel("loss (log scale)")
    ax_val.set_ylabel("cross-entropy (log scale)")
    return _save(fig, folder, "digits_mlp_curves.png")


def breast_cancer_inputs(artifacts, folder):
    """First-layer weight norm per input: L1 switches inputs off, L2 does not."""
    names = artifacts["feature_names"]
    index = np.arange(len(names))
    fig = _new_figure(figsize=(11, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.bar(index - 0.2, artifacts["sklearn_input_norms"], width=0.4,
           color=NOISE, label="MLPClassifier, L2 penalty")
    ax.bar(index + 0.2, artifacts["input_norms"], width=0.4, color=INFORMATIVE,
           label="RegularizedMLPClassifier, L1 penalty (proximal)")
    off = artifacts["input_norms"] == 0
    ax.plot(index[off] + 0.2, np.zeros(off.sum()), "x", color="tab:red", ms=7,
            label="exactly zero: input switched off")
    ax.set_xticks(index, names, rotation=90, fontsize=7)
    ax.set_ylabel("norm of the input's first-layer weights")
    top = max(artifacts["sklearn_input_norms"].max(), artifacts["input_norms"].max())
    ax.set_ylim(0, 1.3 * top)  # room for the legend above the bars
    zeroed = int(off.sum())
    ax.set_title(f"breast cancer: L1 switches off {zeroed} of {len(names)} inputs")
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    return _save(fig, folder, "breast_cancer_inputs.png")


def draw_all(results, folder):
    """Write every figure into ``folder`` (created) and return their paths."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    by_name = {r.name: r.artifacts for r in results}
    return [
        diabetes_path(by_name["diabetes"], folder),
        diabetes_coefficients(by_name["diabetes"], folder),
        breast_cancer_inputs(by_name["breast cancer"], folder),
        digits_curves(by_name["digits"], folder),
    ]
