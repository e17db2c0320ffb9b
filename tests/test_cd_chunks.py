"""Chunks of passes between gaps in the restricted solves: a gap about to be
reached is checked after the passes its rate of decrease asks for, not after
a whole chunk."""

import numpy as np
import pytest

from skreg import ElasticNet
from skreg.linear_model import _cd_fast, _cd_solver
from skreg.linear_model._cd_problems import DenseTarget
from skreg.linear_model._cd_solver import (
    ANDERSON_K,
    _inner_solve,
    _passes_at_rate,
    _passes_to_reach,
)


class GeometricProblem:
    """A restricted problem whose gap is ``rate ** passes`` (until ``flat_after``
    passes, where it stops falling); records the chunks it is run for."""

    def __init__(self, rate, flat_after=np.inf):
        self.w = np.zeros(3)
        self.rate, self.flat_after = rate, flat_after
        self.passes, self.chunks = 0, []

    def run(self, n_epochs, snapshots, random, seed):
        self.passes += n_epochs
        self.chunks.append(n_epochs)
        self.w += n_epochs  # (coefficients that stop moving end a solve)

    def gap(self):
        return self.rate ** min(self.passes, self.flat_after)

    def extrapolate(self, w_prev, snapshots):
        pass


def easy_design(dtype=np.float64):
    """bench_linear's easy case: 2000 x 500 independent features, a third of
    them in the model."""
    rng = np.random.RandomState(0)
    X = rng.randn(2000, 500)
    y = X @ (rng.randn(500) * (rng.rand(500) < 1 / 3)) + rng.randn(2000)
    return X.astype(dtype), y.astype(dtype)


def record_rounds(monkeypatch):
    """A list that fits fill with each round's (set size, passes run)."""
    rounds = []
    inner = _cd_solver._inner_solve

    def spy(restricted, *args):
        out = inner(restricted, *args)
        rounds.append((restricted.w.shape[0], out[0]))
        return out

    monkeypatch.setattr(_cd_solver, "_inner_solve", spy)
    return rounds


def test_passes_to_reach():
    # 1 -> 0.1 in 5 passes; 0.05 is 1.5 passes further: 2, plus 1 for luck
    assert _passes_to_reach(1.0, 0.1, 5, 0.05) == 3
    assert _passes_to_reach(1.0, 0.1, 5, 0.001) == ANDERSON_K  # 10 passes away
    assert _passes_to_reach(np.inf, 0.1, 5, 0.05) == ANDERSON_K  # no rate known
    assert _passes_to_reach(0.1, 0.2, 5, 0.05) == ANDERSON_K  # the gap rose
    assert _passes_to_reach(1.0, 0.1, 5, 0.0) == ANDERSON_K  # tol 0: no end


def test_passes_at_rate():
    half = np.log(0.5)  # the gap halves each pass
    assert _passes_at_rate(half, 1.0, 0.3) == 3  # 1.7 passes, plus 1
    assert _passes_at_rate(half, 1.0, 0.001) == ANDERSON_K  # 10 passes away
    assert _passes_at_rate(np.nan, 1.0, 0.3) == ANDERSON_K  # no rate known
    assert _passes_at_rate(0.0, 1.0, 0.3) == ANDERSON_K  # the gap did not fall
    assert _passes_at_rate(half, np.inf, 0.3) == ANDERSON_K  # no start known
    assert _passes_at_rate(half, 0.2, 0.3) == ANDERSON_K  # there already


@pytest.mark.parametrize("aim, chunks", [
    (None, [3]),  # 1 -> 0.3 (the tolerance) at half per pass: 2, plus 1
    (0.2, [4]),  # aimed past the tolerance: 3 passes, plus 1
    (0.05, [ANDERSON_K]),  # 5 passes, plus 1: capped
])
def test_a_known_rate_sizes_the_first_chunk(aim, chunks):
    problem = GeometricProblem(0.5)
    epochs, gap = _inner_solve(problem, 1000, 0.3, False,
                               np.random.RandomState(0), start_gap=1.0,
                               rate=np.log(0.5), aim=aim)
    assert problem.chunks == chunks and gap <= 0.3


def test_growing_sets_stop_near_the_final_gap(monkeypatch):
    """bench_linear's easy design at alpha_max/10, tol=1e-2: each set after
    the first took 5 passes, where 2-3 reach the final gap (its rate known
    from the round before). (That fit now runs on all features from its
    start, see START_ALL_SHARE; the sets are what this test is about.)"""
    monkeypatch.setattr(_cd_solver, "START_ALL_SHARE", 2.0)
    X, y = easy_design()
    rounds = record_rounds(monkeypatch)
    alpha = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / 2000 / 10
    est = ElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-2).fit(X, y)
    assert est.dual_gap_ <= 1e-2 * np.sum((y - y.mean()) ** 2) / 2000
    passes = [ran for _, ran in rounds]
    assert len(passes) == 4 and passes[0] == ANDERSON_K
    assert all(ran < ANDERSON_K for ran in passes[1:])


@pytest.mark.parametrize("start_gap, chunks", [
    (1.0, [ANDERSON_K, 2]),  # the first chunk's rate says 2 more passes
    (np.inf, [ANDERSON_K, ANDERSON_K]),  # no rate before the second chunk
])
def test_a_gap_near_its_target_is_checked_early(start_gap, chunks):
    # 0.5 ** 6 <= 0.02 < 0.5 ** 5
    problem = GeometricProblem(0.5)
    epochs, gap = _inner_solve(problem, 1000, 0.02, False,
                               np.random.RandomState(0), start_gap=start_gap)
    assert problem.chunks == chunks
    assert epochs == sum(chunks) and gap <= 0.02


def test_a_short_chunk_that_misses_is_followed_by_a_full_one():
    problem = GeometricProblem(0.5, flat_after=ANDERSON_K)
    epochs, gap = _inner_solve(problem, 3 * ANDERSON_K, 0.02, False,
                               np.random.RandomState(0), start_gap=1.0)
    assert problem.chunks == [ANDERSON_K, 2, ANDERSON_K, ANDERSON_K - 2]
    assert epochs == 3 * ANDERSON_K and gap > 0.02


def test_easy_elastic_net_stops_within_passes_of_its_tolerance(monkeypatch):
    """bench_linear's easy design (independent features, half of them in the
    support): the last round on all features ends two passes after its fifth,
    where a gap checked every five passes took ten."""
    X, y = easy_design()
    rounds = record_rounds(monkeypatch)
    alpha = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / 2000 / 0.5 / 100
    est = ElasticNet(alpha=alpha, l1_ratio=0.5, tol=1e-5).fit(X, y)
    assert est.dual_gap_ <= 1e-5 * np.sum((y - y.mean()) ** 2) / 2000
    last_features, last_passes = rounds[-1]
    assert last_features == 500
    assert ANDERSON_K < last_passes < 2 * ANDERSON_K


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_round_on_all_features_ends_the_fit_on_its_own_gap(monkeypatch, dtype):
    """The gap of a round on all features is the exact one: the fit returns it
    instead of taking one more gradient, and it is the duality gap of the
    returned point."""
    X, y = easy_design(dtype)
    gradients = []
    gradient = DenseTarget.gradient

    def counting(self):
        gradients.append(1)
        return gradient(self)

    monkeypatch.setattr(DenseTarget, "gradient", counting)
    rounds = record_rounds(monkeypatch)
    n = X.shape[0]
    alpha = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / n / 100
    tol = 1e-3 if dtype == np.float32 else 1e-6
    est = ElasticNet(alpha=alpha, l1_ratio=1.0, tol=tol).fit(X, y)
    assert rounds[-1][0] == 500 and len(gradients) == len(rounds)
    Xc = X.astype(float) - X.mean(0, dtype=float)
    yc = y.astype(float) - y.mean(dtype=float)
    w = est.coef_.astype(float)
    r = yc - Xc @ w
    gap = _cd_fast.gap_from_gradient(Xc.T @ r, w, r @ r, r @ yc, alpha * n, 0.0,
                                     False)[0] / n
    slack = 1e-3 if dtype == np.float32 else 1e-9
    assert abs(est.dual_gap_ - gap) <= slack * tol * (yc @ yc) / n
    assert gap <= tol * (yc @ yc) / n * (1 + slack)
