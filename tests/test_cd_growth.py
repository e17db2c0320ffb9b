"""How working sets grow on tall data, and when a set runs on a Gram block."""

import numpy as np
import pytest
import scipy.sparse as sp

from skreg.linear_model import _cd_problems, _cd_solver, _columns_fast
from skreg.linear_model._base import centered_operator, make_design
from skreg.linear_model._cd_problems import (
    DenseRestricted,
    DenseTarget,
    GramRestricted,
    sample_coherence,
)
from skreg.linear_model._cd_solver import _support_estimate, coordinate_descent

from _objectives import kkt_violation


def independent_tall(n=1200, p=300, seed=0):
    """Uncorrelated features, a signal on a third of them: at small alpha most
    features enter the support, and few passes settle each set."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    coef = rng.randn(p) * (rng.rand(p) < 0.3)
    return X, X @ coef + rng.randn(n)


def test_support_estimate_follows_the_rate_violators_leave():
    # independent features: 20 added removed 19 violators, so all 343 enter
    assert _support_estimate((20, 362), (40, 343)) == 40 + 343
    # correlated: 10 added removed 73 violators, so 288 more need about 39
    assert _support_estimate((0, 361), (10, 288)) == 10 + int(288 * 10 / 73)
    # none removed: every violator is expected to enter
    assert _support_estimate((10, 50), (20, 60)) == 80
    # the support did not grow: no estimate
    assert _support_estimate((20, 50), (20, 40)) == 0
    assert _support_estimate((20, 50), (15, 40)) == 0


@pytest.mark.parametrize("kind", ["C", "F", "sparse", "weighted", "float32"])
@pytest.mark.parametrize("positive", [False, True])
def test_estimated_sets_reach_the_plain_optimum(monkeypatch, kind, positive):
    # (most features violate at the start here: the first round stays on a
    # working set, so that sets grow by the estimates this test follows)
    monkeypatch.setattr(_cd_solver, "START_ALL_SHARE", 2.0)
    estimates = []
    real = _cd_solver._support_estimate
    monkeypatch.setattr(_cd_solver, "_support_estimate",
                        lambda a, b: estimates.append((b[0], real(a, b)))
                        or real(a, b))
    X, y = independent_tall()
    sw = None
    if kind == "weighted":  # normalised to sum to n_samples, as the estimators do
        sw = np.random.RandomState(1).rand(X.shape[0])
        sw *= X.shape[0] / sw.sum()
    if kind == "F":
        X = np.asfortranarray(X)
    elif kind == "sparse":
        X = sp.csc_matrix(np.where(np.abs(X) > 0.3, X, 0))
    elif kind == "float32":
        X, y = X.astype(np.float32), y.astype(np.float32)
    tol = 1e-6 if kind == "float32" else 1e-10
    design = make_design(X, y, sw, True)
    Xd = X.toarray() if sp.issparse(X) else X
    Xc = Xd - np.average(Xd, axis=0, weights=sw)
    yc = y - np.average(y, weights=sw)
    s = np.ones(X.shape[0]) if sw is None else sw
    alpha = 0.005 * np.abs(Xc.T @ (s * yc)).max() / (X.shape[0] * 0.5)
    common = dict(coef_init=np.zeros((1, X.shape[1]), dtype=X.dtype),
                  positive=positive, max_iter=100_000, tol=tol)
    ws = coordinate_descent(design, alpha * 0.5, alpha * 0.5, **common)
    # the estimate took the set past the doubling of the support at least once
    assert any(size > 2 * nnz for nnz, size in estimates), estimates
    plain = coordinate_descent(design, alpha * 0.5, alpha * 0.5,
                               working_sets=False, **common)
    assert ws.converged and plain.converged
    w_ws, w_plain = ws.coef[0].astype(float), plain.coef[0].astype(float)
    # mu-strongly convex (mu = alpha / 2): both lie within sqrt(2 gap / mu)
    # of the optimum
    mu = alpha * 0.5
    # (a gap met to 1e-10 can come out a rounding below zero)
    bound = sum(np.sqrt(2 * max(r.gap[0], 0) / mu) for r in (ws, plain))
    assert np.linalg.norm(w_ws - w_plain) <= bound * (1 + 1e-6) + 1e-12

    class Fitted:  # what kkt_violation reads of an estimator
        coef_ = w_ws
        intercept_ = (np.average(y - Xd @ w_ws, weights=sw))

    assert np.count_nonzero(w_ws) > X.shape[1] // 3
    scale = np.abs(y).max()
    assert kkt_violation(Fitted, Xd, y, sw, alpha, 0.5, positive) <= (
        1e-3 if kind == "float32" else 1e-7) * scale
    if positive:
        assert np.all(w_ws >= 0)


def target_on(X, y):
    design = make_design(X, y, None, True)
    penalty = (1.0, 1.0, False)
    return DenseTarget(design, design.y[:, 0], np.zeros(X.shape[1]),
                       design.column_sq_norms(), penalty, True)


def test_gram_blocks_only_where_their_products_cost_less_than_the_passes():
    X, y = independent_tall(n=2000, p=500)
    target = target_on(X, y)
    big = np.arange(320)
    # 320 new columns: their products cost about 320 * 320 / (10 * 320) = 32
    # passes, more than the 5 expected, fewer than the 100 of a hard set
    assert isinstance(target.restrict(big, False, passes=5)[0], DenseRestricted)
    assert isinstance(target.restrict(big, False, passes=100)[0], GramRestricted)
    # with no expectation (None) a Gram block is formed whenever X is tall enough
    fresh = target_on(X, y)
    assert isinstance(fresh.restrict(big, False)[0], GramRestricted)
    # 10 more columns on 320 cached cost 10 * 330 / 3300 = 1 pass, one for the
    # residual and the fixed cost's 2.4 MB / 5.3 MB: a block
    more = np.arange(330)
    assert isinstance(target.restrict(more, False, passes=5)[0], GramRestricted)
    # a small first set: 10 * 10 / 100 = 1 pass of products, 1 for the
    # residual and 2.4 MB / 160 kB = 15 for the fixed cost: 17 in all
    small = target_on(X, y)
    assert isinstance(small.restrict(np.arange(10), False, passes=10)[0],
                      DenseRestricted)
    assert isinstance(small.restrict(np.arange(10), False, passes=20)[0],
                      GramRestricted)
    # never on a set of more than half as many features as samples
    half = target_on(X[:600], y[:600])
    assert isinstance(half.restrict(np.arange(301), False, passes=1000)[0],
                      DenseRestricted)


def test_a_long_solve_on_columns_switches_to_a_gram_block(monkeypatch):
    """Columns sharing one factor (correlation 0.8) at alpha_max/850: the
    first round settles in few passes, so the next runs on columns, and then
    takes thousands of passes that a Gram block makes 9x cheaper."""
    rng = np.random.RandomState(0)
    X = rng.randn(2000, 300) + 2 * rng.randn(2000, 1)
    y = X @ (rng.randn(300) * (rng.rand(300) < 0.1)) + 0.5 * rng.randn(2000)
    rounds = []  # (on a block, passes allowed, block's cost, passes run)
    inner = _cd_solver._inner_solve

    def spy(restricted, max_epochs, *args):
        target = targets[-1]
        out = inner(restricted, max_epochs, *args)
        rounds.append((target.on_block, max_epochs, target.block_cost, out[0]))
        return out

    targets = []
    restrict = DenseTarget.restrict

    def restrict_spy(self, *args, **kwargs):
        targets.append(self)
        return restrict(self, *args, **kwargs)

    monkeypatch.setattr(_cd_solver, "_inner_solve", spy)
    monkeypatch.setattr(DenseTarget, "restrict", restrict_spy)
    # sets sized by the support estimate, as before correlated columns turned
    # it off: its overshooting round on columns is what is capped
    monkeypatch.setattr(_cd_solver, "COHERENT", np.inf)
    design = make_design(X, y, None, True)
    l1 = 0.01
    result = coordinate_descent(design, l1, 0.0, coef_init=np.zeros((1, 300)),
                                positive=False, max_iter=100_000, tol=1e-8)
    assert result.converged
    # a round on columns stopped by the cap, not by its gap
    capped = [i for i, (block, allowed, cost, ran) in enumerate(rounds)
              if not block and cost is not None and allowed <= 2 * cost + 1
              and ran == allowed]
    assert capped and rounds[capped[0] + 1][0]  # the round after is on a block
    assert result.n_iter[0] < 20_000
    est = type("Fit", (), {"coef_": result.coef[0],
                           "intercept_": design.y_offset[0]
                           - result.coef[0] @ design.X_offset})
    assert kkt_violation(est, X, y, None, l1, 1.0) <= 1e-6


def shared_factor(n=2000, p=300, f=2.0, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + f * rng.randn(n, 1)
    y = X @ (rng.randn(p) * (rng.rand(p) < 0.1)) + 0.5 * rng.randn(n)
    return X, y


@pytest.mark.parametrize("sparse", [False, True])
def test_sample_coherence(sparse):
    X, _ = shared_factor(f=1.0)  # correlation 1/2
    X[:, 5] = 3.0  # a constant column is left out
    Z = np.random.RandomState(1).randn(2000, 300)
    if sparse:
        X, Z = sp.csc_matrix(X), sp.csc_matrix(Z)
    features = np.arange(40)
    assert abs(sample_coherence(X, features) - 0.5) < 0.05
    assert sample_coherence(Z, features) < 0.03
    assert sample_coherence(X, [3]) == 0.0
    assert sample_coherence(X, [5, 7]) == 0.0


def test_target_coherence_reads_the_centred_copy_once_made(monkeypatch):
    X, y = shared_factor(f=1.0)
    X += 1e3  # offsets the copy has taken off and the sample takes off itself
    target = target_on(X, y)
    features = np.arange(0, 300, 20)
    before = target.coherence(features)
    read = []
    real = _cd_problems.sample_coherence
    monkeypatch.setattr(_cd_problems, "sample_coherence",
                        lambda Z, f: read.append(Z) or real(Z, f))
    copy = target.all_columns()
    assert target.coherence(features) == pytest.approx(before, rel=1e-9)
    assert read[0] is copy and abs(before - 0.5) < 0.05


@pytest.mark.parametrize("f, consulted", [(0.0, True), (0.33, False), (2.0, False)])
def test_support_estimate_only_where_columns_share_little(monkeypatch, f, consulted):
    """Columns sharing a factor: the first features' entry removes few
    violators, and the estimate sent the lasso at alpha_max/100 to sets of
    most features (support: 30-40 of 300), 2-5x slower than doubling."""
    monkeypatch.setattr(_cd_solver, "START_ALL_SHARE", 2.0)  # (see above)
    calls = []
    real = _cd_solver._support_estimate
    monkeypatch.setattr(_cd_solver, "_support_estimate",
                        lambda a, b: calls.append(b) or real(a, b))
    X, y = shared_factor(f=f)
    design = make_design(X, y, None, True)
    Xc = X - X.mean(axis=0)
    l1 = np.abs(Xc.T @ (y - y.mean())).max() / X.shape[0] / 100
    result = coordinate_descent(design, l1, 0.0, coef_init=np.zeros((1, 300)),
                                positive=False, max_iter=100_000, tol=1e-8)
    assert result.converged
    assert bool(calls) == consulted


def first_rounds(monkeypatch, X, y, div, sw=None, positive=False):
    """``(everything, set size)`` of each round of a lasso fit at
    alpha_max / ``div``, and the fit's result."""
    rounds = []
    real = DenseTarget.restrict

    def restrict(self, ws, everything, *args, **kwargs):
        rounds.append((everything, len(ws)))
        return real(self, ws, everything, *args, **kwargs)

    monkeypatch.setattr(DenseTarget, "restrict", restrict)
    design = make_design(X, y, sw, True)
    # (the centred y sums to zero: X^T y is the centred columns')
    l1 = np.abs(design.X.T @ design.y[:, 0]).max() / X.shape[0] / div
    result = coordinate_descent(design, l1, 0.0, positive=positive,
                                coef_init=np.zeros((1, X.shape[1]), X.dtype),
                                max_iter=100_000, tol=tol_for(X))
    assert result.converged
    return rounds, result, design, l1


@pytest.mark.parametrize("kind", ["C", "F", "weighted", "float32", "positive"])
def test_first_round_on_all_features_where_most_violate(monkeypatch, kind):
    X, y = independent_tall()
    sw = None
    if kind == "F":
        X = np.asfortranarray(X)
    elif kind == "weighted":
        sw = np.random.RandomState(1).rand(X.shape[0])
        sw *= X.shape[0] / sw.sum()
    elif kind == "float32":
        X, y = X.astype(np.float32), y.astype(np.float32)
    rounds, result, design, l1 = first_rounds(monkeypatch, X, y, 100, sw,
                                              kind == "positive")
    assert rounds[0] == (True, X.shape[1])
    monkeypatch.undo()
    plain = coordinate_descent(design, l1, 0.0, positive=kind == "positive",
                               coef_init=np.zeros((1, X.shape[1]), X.dtype),
                               max_iter=100_000, tol=tol_for(X),
                               working_sets=False)
    assert plain.converged
    # (a lasso: no strong convexity to bound the coefficients, but each
    # objective is within its gap of the optimum)
    Xc = centered_operator(design)
    obj = [0.5 * np.sum((design.y[:, 0] - Xc.matvec(r.coef[0].astype(float))) ** 2)
           / X.shape[0] + l1 * np.abs(r.coef[0]).sum() for r in (result, plain)]
    assert abs(obj[0] - obj[1]) <= result.gap[0] + plain.gap[0] + 1e-6 * obj[1]


def tol_for(X):
    return 1e-5 if X.dtype == np.float32 else 1e-8


@pytest.mark.parametrize("case", ["few violate", "shared factor", "out of cache"])
def test_first_round_on_a_working_set_otherwise(monkeypatch, case):
    X, y = independent_tall()
    div = 100
    if case == "few violate":  # alpha_max / 2: 3% of the features (/100: 93%)
        div = 2
    elif case == "shared factor":
        X, y = shared_factor(n=1200, f=0.5)  # correlation 0.2
    else:
        monkeypatch.setattr(_cd_solver._cd_fast, "data_cache_bytes",
                            lambda level: 2 * X.nbytes - 1)
    rounds, *_ = first_rounds(monkeypatch, X, y, div)
    assert not rounds[0][0] and rounds[0][1] < X.shape[1] // 2


def test_targets_share_the_whole_centred_design(monkeypatch):
    """Three targets whose first rounds run on all features copy X once."""
    copies = []
    real = _cd_problems.centred_columns

    def spy(X, mean, ws, *args, **kwargs):
        copies.append(len(ws))
        return real(X, mean, ws, *args, **kwargs)

    monkeypatch.setattr(_cd_problems, "centred_columns", spy)
    X, y = independent_tall()
    rng = np.random.RandomState(1)
    n, p = X.shape
    Y = np.column_stack([y] + [X @ (rng.randn(p) * (rng.rand(p) < 0.3))
                               + rng.randn(n) for _ in range(2)])
    design = make_design(X, Y, None, True)
    l1 = np.abs(design.X.T @ design.y).max() / X.shape[0] / 100
    coef_init = np.zeros((3, X.shape[1]))
    result = coordinate_descent(design, l1, 0.0, coef_init=coef_init,
                                positive=False, max_iter=100_000, tol=1e-8)
    assert result.converged
    assert copies.count(X.shape[1]) == 1
    for t in range(3):  # each target's coefficients are its own fit's
        alone = coordinate_descent(make_design(X, Y[:, t], None, True), l1, 0.0,
                                   coef_init=coef_init[:1], positive=False,
                                   max_iter=100_000, tol=1e-8)
        np.testing.assert_allclose(result.coef[t], alone.coef[0], rtol=1e-6,
                                   atol=1e-8)


@pytest.mark.parametrize("weighted", [False, True])
def test_targets_get_their_first_gradients_together(monkeypatch, weighted):
    """From zero, every target of a dense fit is handed its ``X^T y`` before
    the first one runs (while X is still in cache); from a warm start, none."""
    given = []
    real = DenseTarget.__init__

    def spy(self, design, y, w, norms2, penalty, use_gram_blocks, xty=None,
            *args):
        given.append(None if xty is None else np.array(xty))
        real(self, design, y, w, norms2, penalty, use_gram_blocks, xty, *args)

    monkeypatch.setattr(DenseTarget, "__init__", spy)
    X, y = independent_tall(n=800, p=200)
    rng = np.random.RandomState(2)
    Y = np.column_stack([y, X @ rng.randn(200) + rng.randn(800)])
    design = make_design(X, Y, rng.rand(800) + 0.5 if weighted else None, True)
    l1 = np.abs(centered_operator(design).T @ design.y).max() / 800 / 20
    result = coordinate_descent(design, l1, 0.0, coef_init=np.zeros((2, 200)),
                                positive=False, max_iter=10_000, tol=1e-8)
    assert result.converged and len(given) == 2
    for t in range(2):
        np.testing.assert_allclose(given[t], design.X.T @ design.y[:, t],
                                   rtol=1e-10, atol=1e-8)
    given.clear()
    coordinate_descent(design, l1, 0.0, coef_init=result.coef, positive=False,
                       max_iter=10_000, tol=1e-8)
    assert given == [None, None]


@pytest.mark.parametrize("n_targets", [1, 3])
def test_several_targets_gather_their_sets_from_the_shared_copy(monkeypatch,
                                                                n_targets):
    """From zero, the first gather of a multi-target fit makes the whole
    centred copy, every set is gathered from it and every gradient but the
    first ones read it; a single target reads X."""
    sources, copies, products = [], [], []
    real_product = _columns_fast.xt_dot
    monkeypatch.setattr(_columns_fast, "xt_dot",
                        lambda X, r: products.append(X) or real_product(X, r))
    real_gather, real_copy = _columns_fast.gather_dense, _cd_problems.centred_columns

    def gather(X, cols, mean, out):
        sources.append((X, len(cols)))
        real_gather(X, cols, mean, out)

    def copy(X, mean, ws, *args, **kwargs):
        out = real_copy(X, mean, ws, *args, **kwargs)
        copies.append(out)
        return out

    monkeypatch.setattr(_columns_fast, "gather_dense", gather)
    monkeypatch.setattr(_cd_problems, "centred_columns", copy)
    X, y = independent_tall()
    rng = np.random.RandomState(3)
    n, p = X.shape
    Y = np.column_stack([y] + [X @ (rng.randn(p) * (rng.rand(p) < 0.3))
                               + rng.randn(n) for _ in range(2)])[:, :n_targets]
    design = make_design(X, Y, None, True)
    l1 = np.abs(centered_operator(design).T @ design.y).max() / n / 5
    coef_init = np.zeros((n_targets, p))
    result = coordinate_descent(design, l1, 0.0, coef_init=coef_init,
                                positive=False, max_iter=100_000, tol=1e-8)
    assert result.converged
    sets = [source for source, k in sources if k < p]
    assert len(sets) >= 3  # at alpha_max/5 the working sets grow
    if n_targets == 1:
        assert all(source is X for source in sets) and len(products) >= 3
        return
    assert len(products) == n_targets  # (X^T y)
    whole = [c for c in copies if c.shape[1] == p]
    assert len(whole) == 1 and all(source is whole[0] for source in sets)
    for t in range(n_targets):
        alone = coordinate_descent(make_design(X, Y[:, t], None, True), l1, 0.0,
                                   coef_init=coef_init[:1], positive=False,
                                   max_iter=100_000, tol=1e-8)
        np.testing.assert_allclose(result.coef[t], alone.coef[0], rtol=1e-6,
                                   atol=1e-8)
