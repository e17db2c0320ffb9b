"""Why the L1 penalty gives exact zeros and the L2 penalty does not.

A penalised least-squares fit is also a constrained one: minimise the loss
inside a ball ``||w|| <= t`` of the right radius. The solution is where the
smallest loss contour (an ellipse around the unpenalised solution) first
touches the ball. The L1 ball is a diamond whose corners sit on the axes, and
an ellipse coming from most directions touches a corner first: one
coordinate is then exactly zero. The L2 ball is a circle, with no corners,
so the contact point is almost never on an axis.

The two solutions drawn here are not sketched by hand: they are fitted by
``LassoRegressor`` and ``RidgeRegressor`` on a two-feature problem, and the
balls are drawn with the radii of those fits.

Run: ``python examples/plot_l1_l2_geometry.py`` (writes a PNG and prints its
path; ``SKREG_EXAMPLES_OUTDIR`` chooses the folder).
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skreg import LassoRegressor, RidgeRegressor

QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
OUT = Path(os.environ.get("SKREG_EXAMPLES_OUTDIR", ".")) / "plot_l1_l2_geometry.png"

# Two correlated features: tilted elliptical contours make the point clearer
# than circles would.
rng = np.random.RandomState(0)
n = 200
X = rng.multivariate_normal([0, 0], [[1.0, -0.5], [-0.5, 1.0]], size=n)
w_true = np.array([2.0, 0.6])
y = X @ w_true + 0.5 * rng.randn(n)
w_ols = np.linalg.lstsq(X, y, rcond=None)[0]


def loss(w1, w2):
    """The least-squares term of both objectives, 1/(2n) ||y - Xw||^2."""
    residual = y[:, None, None] - X[:, :1, None] * w1 - X[:, 1:, None] * w2
    return 0.5 * np.mean(residual**2, axis=0)


lasso = LassoRegressor(alpha=0.4, fit_intercept=False).fit(X, y)
# RidgeRegressor's alpha is on scikit-learn's Ridge scale (no 1/n on the loss).
ridge = RidgeRegressor(alpha=0.4 * n, fit_intercept=False).fit(X, y)

grid = np.linspace(-1.5, 2.5, 120 if QUICK else 400)
W1, W2 = np.meshgrid(grid, grid)
L = loss(W1, W2)

fig, axes = plt.subplots(1, 2, figsize=(11, 5.4), layout="constrained")
theta = np.linspace(0, 2 * np.pi, 400)
for ax, model, name in [(axes[0], lasso, "L1 (LassoRegressor)"),
                        (axes[1], ridge, "L2 (RidgeRegressor)")]:
    w = model.coef_
    levels = np.quantile(L, [0.002, 0.01, 0.03, 0.08, 0.2, 0.4])
    ax.contour(W1, W2, L, levels=levels, colors="0.6", linewidths=0.8)
    # The contour through the solution is the one that touches the ball.
    ax.contour(W1, W2, L, levels=[float(loss(w[0], w[1]).item())], colors="tab:red",
               linewidths=1.5)
    if model is lasso:
        t = np.abs(w).sum()
        ball = np.array([[t, 0], [0, t], [-t, 0], [0, -t], [t, 0]])
        ax.fill(ball[:, 0], ball[:, 1], color="tab:blue", alpha=0.25)
        radius = f"||w||_1 = {t:.2f}"
    else:
        t = np.linalg.norm(w)
        ax.fill(t * np.cos(theta), t * np.sin(theta), color="tab:blue", alpha=0.25)
        radius = f"||w||_2 = {t:.2f}"
    ax.plot(*w_ols, "k+", ms=12, mew=2, label="least squares (no penalty)")
    ax.plot(*w, "o", color="tab:red", ms=8,
            label=f"penalised fit w = ({w[0]:.2f}, {w[1]:.2f})")
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(0, color="k", lw=0.6)
    ax.set_aspect("equal")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(grid[0], grid[-1])
    ax.set_xlabel("w1")
    ax.set_ylabel("w2")
    ax.set_title(f"{name}: ball {radius}")
    ax.legend(loc="upper left", fontsize=8)
fig.suptitle("The loss contour (red) touches the diamond at a corner, so w2 = 0 "
             "exactly; it touches the circle off the axes")
fig.savefig(OUT, dpi=100)
print(f"lasso coef {lasso.coef_}, ridge coef {ridge.coef_}")
print(f"saved figure to {OUT.resolve()}")
