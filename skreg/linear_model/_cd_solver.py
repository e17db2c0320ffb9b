"""Coordinate descent for the elastic net: the only caller of ``_cd_fast``.

The solver works on a :class:`~skreg.linear_model._base.Design` (weighted,
centred, intercept-free) and minimises, for each target column ``y``::

    1/(2n) ||y - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2

The kernels work on that objective multiplied by ``n``; gaps are reported on
the objective's own scale.

Strategy (for problems with more than a few features and an L1 part):

* working sets: coordinate descent runs on a small set of features, the
  current support plus as many features closest to violating optimality (so
  the set grows geometrically while the support grows, and shrinks when
  features leave it); once that restricted problem is solved to a fraction of
  the global gap, the global gap is checked and the set is chosen again.
  Features outside the set stay at zero. On dense data the first set holds at
  least 1% of the features (up to n_samples); once few zero features violate
  optimality, the set is solved to the final tolerance at once.
* sampled gradients: on tall dense data, while more features violate
  optimality than the next set holds beside the support, that set is ranked
  on a gradient estimated from a quarter of the rows
  (``DenseTarget.sampled_gradient``); gaps that stop the solver and screening
  always use the exact gradient.
* first sets from a sample: a single tall dense fit (C-ordered, unweighted)
  starts from the support of a fit on every 16th row and the zeros near it,
  gathered by the pass that takes the column statistics; the set is solved to
  the final tolerance, and the next keeps it and adds the violators
  (``_sketch``).
* gap-safe screening: features provably zero at the optimum leave for good
  (``_cd_fast.screen_and_score``).
* Anderson extrapolation: every few passes the last iterates are combined into
  an extrapolated point, kept only if it lowers the objective.
* Gram blocks: on dense data with many more samples than working-set features,
  the restricted problem runs on ``X_ws^T X_ws`` (glmnet's covariance updates),
  so a coordinate update costs O(|ws|) instead of O(n_samples), when the
  passes the last round took would cost more than the block's new products;
  a round on columns that runs past twice the block's cost stops there and
  the next takes the block. The next exact gradient checks what a block
  certified; a target whose block was far off (its gradient cancels, in
  float32 most) leaves blocks for good.
* supports that fill the data: on tall data, once a round has added features
  to the support, the violators it removed per feature added give the
  support's likely size, and the next set takes that many at once instead of
  doubling (see ``_support_estimate``); not where the first support's columns
  are correlated (``COHERENT``): features sharing a factor leave the
  violators at once after a slow start, and the estimate overshot 5-10x.
  Where X stays in cache and 40% of the features or more violate optimality
  at the start, unless the top ones are correlated, the first round runs on
  all features (``START_ALL_SHARE``).

Stalls: once the gap is within rounding of the objective (``GAP_NOISE``) and
stops reaching new lows, the solver stops short of its tolerance rather than
run to ``max_iter``; the caller's ConvergenceWarning then names the dtype.

``n_iter`` counts passes over the features being optimised (all features on
small problems, the working set otherwise); the sample's fit is not counted.
"""

from typing import NamedTuple

import numpy as np

from . import _cd_fast, _columns_fast
from ._cd_problems import (
    COHERENCE_FEATURES,
    DenseTarget,
    GramProblem,
    GramTarget,
    SparseTarget,
    coherence_floor,
    gram_problem,
)

__all__ = [
    "CDResult",
    "GramProblem",
    "coordinate_descent",
    "gap_floor",
    "gram_problem",
    "precision_hint",
]

_INT32_MAX = np.iinfo(np.int32).max
ANDERSON_K = 5  # passes between extrapolations
SMALL_PROBLEM = 100_000  # cost of a pass up to which one kernel call does it all
SMALL_P = 64  # at or below this many features, no working sets
FIRST_WS = 10  # smallest working set
FIRST_WS_SHARE = 100  # ... or 1/this of the features if more (dense)
INNER_FRACTION = 0.3  # restricted problems are solved to this fraction of the gap
VIOLATOR_SHARE = 8  # at most nnz / this zero features violating: solve fully
MAX_SAMPLED_ROUNDS = 3  # rounds in a row on sampled gradients
# Sets are sized by _support_estimate only while the support's columns have
# a mean |correlation| at most this (see sample_coherence).
COHERENT = 0.08
# On tall X in cache, a fit where at least this share of the features violate
# optimality at its start runs its first round on all of them, unless the top
# ones share more than START_ALL_COHERENCE times the mean |correlation| of
# independent columns (see coherence_floor): working sets there took rounds
# (a gradient and a gather each) to reach a support of a quarter to a half of
# the features. Paired fits, lasso and elastic net at alpha_max/10 and /100
# where the rule applies: bench_linear's easy case (2000 x 500 independent
# features, 47-94% violating) 0.71-0.91 of the time, make_regression 2000 x 500
# 0.74-0.86, independent 10 000 x 200 0.60-0.67, make_regression 5000 x 400
# (16 MB) 0.77-1.10. Run on all features from the start, fits where 7-20% of
# the features violated took 1.15-1.66 times as long, 34% 0.92-1.28; on columns
# sharing a weak factor (mean |corr| 0.045 on 2000 rows) at alpha_max/100,
# 1.07-1.17; on X of 32-72 MB, 0.96-2.01.
START_ALL_SHARE = 0.4
START_ALL_COHERENCE = 2
# A gap is resolved only to within a few ulps of the objective (about
# ||y||^2): below GAP_NOISE * eps * ||y||^2 a gap that has not reached a new
# low for STALL_ROUNDS exact rounds (STALL_CHUNKS extrapolation chunks on a
# restricted problem) will not reach its target, and the solver stops.
GAP_NOISE = 16
STALL_ROUNDS = 3
STALL_CHUNKS = 4


class CDResult(NamedTuple):
    """Outcome of :func:`coordinate_descent`.

    Attributes
    ----------
    coef : ndarray of shape (n_targets, n_features)
    gap : ndarray of shape (n_targets,)
        Duality gap reached, on the objective's scale (divided by n_samples).
    gap_tol : ndarray of shape (n_targets,)
        The gap each target had to reach, on the same scale.
    n_iter : ndarray of shape (n_targets,)
        Passes of coordinate descent run for each target.
    gap_floor : ndarray of shape (n_targets,)
        The smallest gap the arithmetic of X's dtype resolves, on the same
        scale (see :func:`gap_floor`).
    """

    coef: np.ndarray
    gap: np.ndarray
    gap_tol: np.ndarray
    n_iter: np.ndarray
    gap_floor: np.ndarray

    @property
    def converged(self):
        return bool(np.all(self.gap <= self.gap_tol))

    @property
    def at_precision(self):
        """Whether some target missed its gap, and every one that did missed
        it within the arithmetic's precision (more passes would not help)."""
        missed = self.gap > self.gap_tol
        return bool(np.any(missed) and np.all(self.gap[missed]
                                              <= self.gap_floor[missed]))


def gap_floor(yy, dtype):
    """Gaps at most this are within the rounding of objectives of size ``yy``.

    The primal and dual values are about ``||y||^2`` and their difference is
    rounded to a few of their ulps: in float32, a tol below about 2e-6 may
    ask for a gap that its arithmetic never certifies.
    """
    return GAP_NOISE * np.finfo(dtype).eps * np.asarray(yy, dtype=float)


def precision_hint(dtype):
    """Sentence of a ConvergenceWarning whose gaps stalled at their floor."""
    return (
        f" The gap stopped falling where {np.dtype(dtype).name} arithmetic no "
        "longer resolves it; fit float64 data or use a larger tol."
    )


# -------------------------------------------------------------------------- solving
class _Stall:
    """Whether gaps, checked in turn, have stalled: at or below ``floor`` and
    no new low for ``patience`` checks (see ``GAP_NOISE``)."""

    def __init__(self, floor, patience):
        self.floor, self.patience = floor, patience
        self.best, self.flat = np.inf, 0

    def __call__(self, gap):
        self.flat = self.flat + 1 if gap >= self.best else 0
        self.best = min(self.best, gap)
        return gap <= self.floor and self.flat >= self.patience


def _inner_solve(restricted, max_epochs, gap_tol, random, rng, floor=0.0,
                 start_gap=np.inf, rate=np.nan, aim=None):
    """Coordinate descent with Anderson extrapolation on a restricted problem.

    Passes run in chunks of ``ANDERSON_K``, each followed by a gap. Where the
    last chunk's rate of decrease says the gap is reached in fewer passes, the
    next chunk is that short (``start_gap``: the gap before the first chunk,
    if known); so is the first, from ``start_gap`` to ``aim`` (default
    ``gap_tol``) at ``rate`` (the log of the gap's change per pass) if given.
    A short chunk that misses is followed by a full one. Stops early once the
    gap stalls at or below ``floor`` (see ``GAP_NOISE``), or, above it, once a
    chunk leaves the coefficients as they were (``_unmoved``).
    """
    dtype = restricted.w.dtype
    snapshots = np.empty((ANDERSON_K, restricted.w.shape[0]), dtype=dtype)
    epochs = 0
    gap, before = np.inf, start_gap
    n = _passes_at_rate(rate, start_gap, gap_tol if aim is None else aim)
    stalled = _Stall(floor, STALL_CHUNKS)
    while epochs < max_epochs:
        n = min(n, max_epochs - epochs)
        w_prev = restricted.w.copy()
        seed = int(rng.randint(1, _INT32_MAX)) if random else 1
        restricted.run(n, snapshots, random, seed)
        epochs += n
        gap = restricted.gap()
        if gap <= gap_tol or stalled(gap):
            break
        if gap > floor and _unmoved(restricted.w, w_prev):
            break  # (at the floor, rounding may still reach the gap: see stalled)
        # Extrapolate only when another chunk follows: warm-started solves that
        # finish within one chunk never pay for it.
        if n == ANDERSON_K:
            restricted.extrapolate(w_prev, snapshots)
            n = _passes_to_reach(before, gap, n, gap_tol)
        else:  # a short chunk missed: no second guess
            n = ANDERSON_K
        before = gap
    return epochs, gap


def _unmoved(w, w_prev):
    """Whether a chunk of passes left ``w`` within a few ulps of ``w_prev``:
    a fixed point of the passes in their arithmetic, which more passes only
    repeat whatever the gap says. (In float32, on a Gram block of columns with
    means up to 1e4, the block's residual norm rounded to 0, its gap stood
    still while w moved by 1e-7 of its size, and one round ran to max_iter;
    the exact gradient then judges the block, see ``check_block``.)"""
    eps = np.finfo(w.dtype).eps
    return (np.max(np.abs(w - w_prev), initial=0)
            <= 4 * eps * np.max(np.abs(w), initial=0))


def _passes_to_reach(before, after, passes, gap_tol):
    """Passes of the next chunk: ``ANDERSON_K``, or fewer where ``passes``
    took the gap from ``before`` to ``after`` at a rate that reaches
    ``gap_tol`` sooner (one more pass for luck). A gap checked every five
    passes overshot by up to four: the elastic net on bench_linear's easy
    case at alpha_max/100 missed tol=1e-5 by 25% after 10 passes and took 15.
    """
    if not (np.isfinite(before) and 0 < after < before):
        return ANDERSON_K
    return _passes_at_rate(np.log(after / before) / passes, after, gap_tol)


def _passes_at_rate(rate, gap, gap_tol):
    """Passes from ``gap`` to ``gap_tol`` at ``rate`` (the log of the gap's
    change per pass, negative), plus one, at most ``ANDERSON_K``; that many
    where either is unknown."""
    if not (-np.inf < rate < 0 and np.isfinite(gap) and gap > gap_tol > 0):
        return ANDERSON_K
    need = int(np.ceil(np.log(gap_tol / gap) / rate)) + 1
    return int(min(max(need, 1), ANDERSON_K))


def _solve_target(target, l1, l2, positive, max_iter, gap_tol, random, rng,
                  working_sets, first_ws=FIRST_WS, first_set=None, estimate=False,
                  floor=0.0, start_all=False):
    """Working-set coordinate descent on one target; returns (gap, epochs).

    Stops early once exact gaps stall at or below ``floor`` (see
    ``GAP_NOISE``).

    ``estimate``: size sets by ``_support_estimate`` (tall data on X).
    ``start_all``: with ``estimate``, run the first round on all features
    where a share ``START_ALL_SHARE`` of them or more violate optimality and
    the top ones share little (X in cache, see ``coordinate_descent``).

    ``first_set``: ``(features, start)``, a first working set (sorted) and the
    point its restricted problem starts from, solved to the final tolerance
    (see ``_sketch``); the target must be at zero.
    """
    w = target.w
    p = w.shape[0]
    norms_aug = np.sqrt(np.maximum(target.norms2, 0) + l2).astype(w.dtype)
    keep = np.ones(p, dtype=np.uint8)
    score = np.empty(p, dtype=w.dtype)
    ws_size = max(first_ws, 2 * np.count_nonzero(w))
    epochs = 0
    sampling = working_sets and target.can_sample
    exact, n_sampled = True, 0
    seeded = None  # the first set, in the round after it
    passes = 2 * ANDERSON_K  # the next round's passes, as the last one took
    # (support size, zero features violating optimality) at the last exact
    # round, when sets are estimated
    last_exact = None
    estimate = estimate and working_sets
    coherent = None  # whether the first support's columns are correlated
    stalled = _Stall(floor, STALL_ROUNDS)  # (fed exact gaps only)
    # (set, gap, gap at the round's start) of a Gram block's round, the last one
    block = None
    # the log of the gap's change per pass in the last round, and its set's size
    rate, rate_set = np.nan, 0
    while True:
        if exact:
            g, r2, ry = target.gradient()
        else:
            g, r2, ry = target.sampled_gradient()
        gap, gap_lasso, s = _cd_fast.gap_from_gradient(g, w, r2, ry, l1, l2,
                                                       positive)
        if exact and block is not None and gap > gap_tol:
            # the block's arithmetic checked against the exact gradient (gaps
            # below the floor are rounding, whatever their sign)
            ws_b, gap_b, before_b = block
            target.check_block(max(gap_b, floor),
                               _set_gap(g, w, ws_b, r2, ry, l1, l2, positive),
                               before_b)
        block = None
        if not exact and epochs >= max_iter:
            exact = True  # the gap returned is always an exact one
            continue
        if exact and (gap <= gap_tol or epochs >= max_iter or stalled(gap)):
            return gap, max(epochs, 1)
        if working_sets:
            # a sampled gradient screens nothing: its gap bounds nothing
            n_keep, n_viol = _cd_fast.screen_and_score(
                g, w, s, l1, l2, positive, norms_aug,
                gap_lasso if exact else np.inf, keep, score)
            if n_keep == 0:  # only after an exact round: sampled ones screen nothing
                return gap, max(epochs, 1)
            if estimate and exact:
                now = (np.count_nonzero(w), n_viol)
                if (start_all and last_exact is None and first_set is None
                        and n_viol >= START_ALL_SHARE * p):
                    # most features violate from the start: unless the top
                    # ones share a factor, the support will fill the data
                    top = _cd_fast.smallest(score, COHERENCE_FEATURES)
                    mixed = target.coherence(top)
                    # (the top features become the first support: theirs
                    # stands for its coherence below)
                    coherent = mixed > COHERENT
                    if mixed <= START_ALL_COHERENCE * coherence_floor(
                            target.X.shape[0]):
                        ws_size = p
                if last_exact is not None and coherent is None:
                    coherent = target.coherence(np.flatnonzero(w)) > COHERENT
                if last_exact is not None and not coherent:
                    ws_size = max(ws_size, _support_estimate(last_exact, now))
                last_exact = now
            ws_size = min(ws_size, n_keep)
        # A set of half the features or more runs on all of them: their columns
        # are copied once for the whole fit instead of gathered each round, at
        # the price of at most twice the work per pass.
        everything = not working_sets or 2 * ws_size >= p
        start = None
        if first_set is not None:  # (only given with working sets)
            ws, start = first_set
            kept = keep[ws] != 0
            ws, start = ws[kept], start[kept]
            everything, inner_tol = False, gap_tol
        elif everything:
            ws = np.arange(p)
            inner_tol = gap_tol
        elif seeded is not None and n_viol <= ws_size - np.count_nonzero(w):
            # After a first set the Gram products of its features are known
            # and a new feature's cost a gather: keep them all, add only the
            # features that violate optimality.
            violating = ((g if positive else np.abs(g)) > l1) & (keep != 0)
            ws = np.union1d(seeded[keep[seeded] != 0],
                            np.flatnonzero(violating | (w != 0)))
            inner_tol = gap_tol
        else:
            ws = _cd_fast.smallest(score, ws_size)
            # Once few zero features still violate their optimality condition
            # the support is nearly complete, and a partial solve would only
            # buy another full-gradient round.
            last = (ws_size == n_keep
                    or n_viol <= np.count_nonzero(w) // VIOLATOR_SHARE)
            inner_tol = gap_tol if last else INNER_FRACTION * gap
        first_set = None
        restricted, extra = target.restrict(ws, everything, start, passes)
        budget = max_iter - epochs
        if target.block_cost is not None:
            # A set on columns that a Gram block would have served for less
            # ends its round after twice the block's cost: the next takes the
            # block (on 2000 x 300 columns sharing a factor, the lasso at
            # alpha_max/850 took 6000 passes of 130 us on columns, 15 us on a
            # block).
            budget = min(budget, max(2 * ANDERSON_K,
                                     int(np.ceil(2 * target.block_cost))))
        # The set's gap at the round's start, from the exact gradient (on all
        # features this round's gap; a first set starts elsewhere), and the
        # rate the last round's gap fell at, on a set at least an eighth this
        # size, size the first chunk: the passes to the final gap, which
        # can spare a round if the set holds the support. On 2000 x 500
        # independent features, the lasso at alpha_max/10 and tol=1e-2 ran 5
        # passes on each of its sets where 2-3 reached that gap. (Aimed at
        # the sets' gaps, chunks of 2 made 1000 x 200 fits at alpha_max/100
        # take a round more; the rate of 10 features, on all 500 at
        # alpha_max/100, cut a chunk short that missed.)
        start_gap = np.inf
        if exact and start is None:
            start_gap = gap if everything else _set_gap(g, w, ws, r2, ry, l1,
                                                        l2, positive)
        n_ep, inner_gap = _inner_solve(
            restricted, budget, inner_tol, random, rng, floor, start_gap,
            rate if 8 * rate_set >= ws.shape[0] else np.nan, gap_tol)
        rate, rate_set = np.nan, 0
        if n_ep and inner_gap < start_gap < np.inf:
            # (a gap rounded to 0 or below fell at least this fast)
            end = max(inner_gap, np.finfo(float).eps * start_gap)
            rate, rate_set = np.log(end / start_gap) / n_ep, ws.shape[0]
        if target.on_block:
            block = (ws, inner_gap, start_gap)
        passes = max(ANDERSON_K, n_ep)
        epochs += n_ep
        target.absorb(ws, restricted, extra)
        if everything and not target.on_block and inner_gap <= gap_tol:
            # on all features, from the target's own data and residual, the
            # set's gap is the exact one: a gradient would only repeat it
            return inner_gap, max(epochs, 1)
        seeded = ws if start is not None else None
        ws_size = max(first_ws, 2 * np.count_nonzero(w))
        # On tall data a full gradient is a pass over X, the round's main cost.
        # While more features violated optimality at this round's start than
        # the next set holds beside the support, the gap is unlikely to be
        # reached and screening at such a gap removes little: a sampled
        # gradient ranks the features well enough.
        n_sampled = 0 if exact else n_sampled + 1
        # (a first set was solved to the final tolerance: verify it at once)
        exact = (start is not None or not sampling
                 or n_viol <= ws_size - np.count_nonzero(w)
                 or n_sampled >= MAX_SAMPLED_ROUNDS)


def _set_gap(g, w, ws, r2, ry, l1, l2, positive):
    """The gap of the problem restricted to ``ws`` (the other coefficients at
    zero), from the whole problem's gradient ``g`` at ``w``."""
    return _cd_fast.gap_from_gradient(g[ws], w[ws], r2, ry, l1, l2, positive)[0]


def _support_estimate(before, now):
    """The support size two exact rounds' ``(support size, violators)``
    suggest: the remaining violators enter at the rate at which the support's
    growth removed them.

    Where features are independent most violators must enter (bench_linear's
    easy case, lasso at alpha_max/100: 10 features entering left 465 of 469
    violators; the estimate, 475, ran the next round on all 500 features, and
    the support settled at about 230); where they are correlated, a few
    entering settle many (the tall case's sample fit, elastic net at
    alpha_max/100: 361, then 288 violators after 10 features entered, an
    estimate of 49; the sample's support ended at 62, the full fit's at 48).
    """
    added, removed = now[0] - before[0], before[1] - now[1]
    if added <= 0:
        return 0
    if removed <= 0:
        return now[0] + now[1]
    return now[0] + int(now[1] * min(1.0, added / removed))


def coordinate_descent(design, l1, l2, *, coef_init, positive, max_iter, tol,
                       gram=None, gram_blocks=True, random=False, rng=None,
                       working_sets=True):
    """Minimise the elastic net on every target of ``design``.

    Parameters
    ----------
    design : Design
        Weighted, centred problem (see ``_base.make_design``).
    l1, l2 : float
        Penalty strengths on the objective's scale (``alpha * l1_ratio`` and
        ``alpha * (1 - l1_ratio)``); ``l1 + l2`` must be positive.
    coef_init : ndarray of shape (n_targets, n_features)
        Starting point (not modified).
    positive : bool
    max_iter : int
        Maximum number of passes of coordinate descent per target.
    tol : float
        Stop once the duality gap is at most ``tol * ||y||^2 / n``.
    gram : GramProblem or None
        Run on precomputed sufficient statistics instead of ``design.X``.
    gram_blocks : bool
        On dense X, let restricted problems run on Gram blocks when that is
        cheaper (``precompute='auto'``).
    random : bool
        Visit coordinates in random order (``selection='random'``).
    rng : numpy.random.RandomState or None
        Source of the coordinate order's seeds when ``random``.
    working_sets : bool
        Allow working sets and screening (they only run when there is an L1
        part and more than a few features); False runs every pass over all
        features.

    Returns
    -------
    result : CDResult
    """
    X, Y = design.X, design.y
    n_samples, n_features = X.shape
    dtype = X.dtype
    n_targets = Y.shape[1]
    l1s, l2s = float(l1 * n_samples), float(l2 * n_samples)
    penalty = (dtype.type(l1s), dtype.type(l2s), positive)
    coef = np.array(coef_init, dtype=dtype, order="C", copy=True)
    gaps = np.empty(n_targets)
    gap_tols = np.empty(n_targets)
    floors = np.empty(n_targets)
    n_iter = np.empty(n_targets, dtype=np.int64)
    # One pass costs about this many flops; below SMALL_PROBLEM the Python
    # driving of working sets and extrapolation costs more than it saves.
    if gram is not None:
        pass_cost = n_features**2
    elif design.is_sparse:
        pass_cost = X.nnz + n_samples
    else:
        pass_cost = n_samples * n_features
    small = pass_cost <= SMALL_PROBLEM
    working_sets = (working_sets and l1 > 0 and n_features > SMALL_P
                    and not small)
    # On dense data the first working set holds a share of the features, up to
    # n_samples (a lasso support's bound): a pass over it costs that share of
    # the full gradient each round needs, so fewer, larger rounds win. Sparse
    # columns differ too much in cost for a share to say what a pass costs
    # (the first candidates are often the densest columns).
    first_ws = FIRST_WS
    if not design.is_sparse:
        first_ws = max(FIRST_WS, min(n_features // FIRST_WS_SHARE, n_samples))
    if gram is None:
        norms2 = design.column_sq_norms()
    # Sets sized by _support_estimate on tall X only: a lasso's support on wide
    # data is bounded by n_samples, which doubling reaches in few rounds, and
    # on Gram statistics a round costs no pass over X.
    estimate = gram is None and n_samples >= n_features
    # ... and a first round on all features where most violate (START_ALL_SHARE),
    # while X and the centred copy of it that round takes stay in cache
    start_all = (estimate and not design.is_sparse
                 and X.nbytes <= _cd_fast.data_cache_bytes(3) // 2)
    ready = design.ready if (gram is None and n_targets == 1 and working_sets
                             and not design.is_sparse) else None
    # What dense targets share: the whole centred design, once made (on 2000 x
    # 500 C-ordered X, 1.5 ms of a 5 ms lasso fit). Several targets from zero
    # on X in cache make it at their first gather and gather every set from
    # it ("copy_first"), and each is handed its X^T y, all taken before the
    # first target runs. With three targets on 2000 x 500, sets of 44-176
    # features took 0.07-0.14 ms to gather from the copy against 0.27-0.78
    # from the rows of X, a gradient 0.14 ms against 0.24-0.40 (X^T y on X
    # that the passes had pushed out of cache), and lasso and elastic net
    # fits at alpha_max/10 and /100 0.87-0.93 of the time (paired runs).
    several = n_targets > 1 and not np.any(coef)
    kept = {"copy_first": several and start_all}
    xty = design.xty
    if (xty is None and several and gram is None and not design.is_sparse
            and not small and n_targets <= n_samples):  # (no larger than X)
        xty = np.stack([_columns_fast.xt_dot(X, Y[:, t]) for t in range(n_targets)])
    for t in range(n_targets):
        y = Y[:, t]
        w = coef[t]
        first = None
        yy = float(gram.yy[t] if gram is not None else y @ y)
        gap_tol, floor = tol * yy, float(gap_floor(yy, dtype))
        if gram is not None:
            target = GramTarget(gram, t, w, penalty)
        elif design.is_sparse:
            target = SparseTarget(design, y, w, norms2, penalty)
        else:
            # a first set gathered beside the column statistics (see _sketch;
            # ``ready`` implies working sets, so a problem that is not small)
            first = (ready if ready is not None and gram_blocks
                     and not np.any(w) else None)
            target = DenseTarget(design, y, w, norms2, penalty,
                                 gram_blocks and not small,
                                 None if xty is None else xty[t],
                                 first, kept)
        first_set = None if first is None else (first.features, first.start)
        if small:
            gap, n_ep = _single_call(target, y, gram, t, penalty, max_iter, gap_tol,
                                     tol, random, rng)
        else:
            gap, n_ep = _solve_target(target, l1s, l2s, positive, max_iter,
                                      gap_tol, random, rng, working_sets, first_ws,
                                      first_set, estimate, floor, start_all)
        gaps[t] = gap / n_samples
        gap_tols[t] = gap_tol / n_samples
        floors[t] = floor / n_samples
        n_iter[t] = n_ep
    return CDResult(coef, gaps, gap_tols, n_iter, floors)


def _single_call(target, y, gram, t, penalty, max_iter, gap_tol, tol, random, rng):
    """Small problems: one kernel call over all features, gap checked inside."""
    l1, l2, positive = penalty
    w = target.w
    ws = np.arange(w.shape[0], dtype=np.int32)
    dtype = w.dtype
    seed = int(rng.randint(1, _INT32_MAX)) if random else 1
    common = (positive, max_iter, dtype.type(gap_tol), dtype.type(tol), random, seed,
              10, np.empty((0, 0), dtype=dtype))
    if isinstance(target, GramTarget):
        return _cd_fast.cd_gram(target.Q, np.ascontiguousarray(target.q), target.yy,
                                w, target.H, l1, l2, ws, *common)
    if isinstance(target, SparseTarget):
        return _cd_fast.cd_sparse(*target.parts, target.mean, target.v, y,
                                  w, target.R, target.norms2, l1, l2, ws, *common)
    return _cd_fast.cd_dense(target.all_columns(), y, w, target.R, target.norms2,
                             l1, l2, ws, *common, target.padded)
