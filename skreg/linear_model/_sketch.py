"""A first working set for tall dense fits, from a fit on a sample of rows.

On tall C-ordered X each working-set round gathers its new columns, a walk
over most of X's cache lines (10 columns of 50 000 x 378 cost 40% of a pass, 40
columns more than a pass), and the first rounds grow the set from 10 features
in steps. A fit on every 16th row costs ~5 ms there and finds the support
well: its support and the zero features near to entering it are the first
working set, from the sample's coefficients, and the pass that takes the
column statistics gathers their columns on the way (+3 ms for 48 columns,
on a pass of 8 ms). The set is solved to the final tolerance and checked on
all features by an exact gradient, as any other; features the sample missed
enter in the rounds that follow.

Gathering more zero features than these, for later rounds, made fits slower:
their columns cost writes in the statistics pass and memory, and most were
never used.
"""

from typing import NamedTuple

import numpy as np

from ._base import keep_stats, make_design
from ._column_buffers import column_buffer
from ._columns_fast import column_stats

__all__ = ["FirstSet", "Prefetched", "first_set", "prefetched", "sample_rows"]

SHARE = 16  # one row in this many
MIN_ROWS = 2048  # the sample holds at least this many rows,
ROWS_PER_FEATURE = 4  # ... and this many per feature
TOL = 1e-3  # the sample's fit stops at this tol
MAX_SHARE = 4  # no set when the sample's support holds 1/this of the features
NEAR = 0.9  # zeros this close to violating on the sample join the set


class FirstSet(NamedTuple):
    """``features`` (sorted), the sample's coefficients on them (``start``)
    and its column means (``offset``, float64), which the gather subtracts."""

    features: np.ndarray
    start: np.ndarray
    offset: np.ndarray


class Prefetched(NamedTuple):
    """A first set with its columns, gathered less ``offset``: the centred
    columns are ``columns - shift`` (``shift``: the means' difference)."""

    features: np.ndarray
    start: np.ndarray
    columns: np.ndarray
    shift: np.ndarray


def sample_rows(n_samples, n_features):
    """Rows of the sample (every ``SHARE``-th), or 0 when X is too short."""
    rows = -(-n_samples // SHARE)
    return rows if rows >= max(MIN_ROWS, ROWS_PER_FEATURE * n_features) else 0


def first_set(X, y, l1, l2, positive, max_iter, solve):
    """The first set for the elastic net on C-ordered ``X`` and 1-D ``y``
    (unweighted, with intercept), or None when the sample says no set is
    worth it (its support is empty or holds a quarter of the features or
    more).

    ``solve`` is ``_cd_solver.coordinate_descent``. Non-finite values in the
    sample give None: the caller's own check reports them.
    """
    n, p = X.shape
    rows = sample_rows(n, p)
    if not rows:
        return None
    # C-ordered, on pooled pages: the rows copy whole (an F-ordered copy took
    # twice as long, 2.2 against 1.2 ms, and its fit no less)
    sample = column_buffer(rows * p, 1, X.dtype, plain_pages=True)[:, 0]
    sample = sample.reshape(rows, p)
    np.copyto(sample, X[::SHARE])
    y_s = np.ascontiguousarray(y[::SHARE])
    mean, sq, _ = column_stats(sample)
    if not (np.isfinite(mean).all() and np.isfinite(sq).all()
            and np.isfinite(y_s).all()):
        return None
    design = keep_stats(make_design(sample, y_s, None, True, mean), sq)
    w0 = np.zeros((1, p), dtype=X.dtype)
    w = solve(design, l1, l2, coef_init=w0, positive=positive, max_iter=max_iter,
              tol=TOL).coef[0]
    support = np.flatnonzero(w)
    if support.size == 0 or support.size >= p // MAX_SHARE:
        return None
    # zero features near to violating their optimality condition on the sample
    offset = design.X_offset
    R = design.y[:, 0] - sample[:, support] @ w[support]
    R += offset[support] @ w[support]
    g = sample.T @ R - offset * R.sum()
    score = (np.maximum(g, 0) if positive else np.abs(g)) / (l1 * rows)
    features = np.flatnonzero((w != 0) | (score >= NEAR))
    return FirstSet(features, w[features], mean)


def prefetched(first, columns, X_offset, sq_norms):
    """The :class:`Prefetched` set of ``first`` from its gathered ``columns``
    and the full data's column means and centred squared norms; None if a
    shift is larger than a sample of rows allows.

    Gram blocks of shifted columns subtract ``n s s^T`` from ``D^T D``, which
    cancels by a factor of ``1 + n s^2 / sq``. The sample's rows are among
    all rows, so ``rows s^2 <= sq`` (their squared deviations from the mean
    are at least ``rows s^2`` and at most all of ``sq``): the factor is at
    most ``1 + n / rows``, ~17, and costs ~1.2 digits. A larger shift can
    only come from elsewhere, and is not used.
    """
    f = first.features
    n, p = columns.shape[0], len(X_offset)
    rows = sample_rows(n, p)
    shift = np.asarray(X_offset, dtype=np.float64)[f] - first.offset[f]
    if not rows or np.any(rows * shift**2 > np.asarray(sq_norms)[f] * (1 + 1e-6)):
        return None
    return Prefetched(f, first.start, columns, shift)
