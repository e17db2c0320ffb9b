"""scikit-learn's estimator checks on every public estimator and configuration."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skreg import ElasticNet, LassoRegressor
from skreg.linear_model._cv import ElasticNetCV, LassoRegressorCV
from skreg.linear_model._ridge import RidgeRegressor
from skreg.linear_model._ridge_cv import RidgeRegressorCV
from skreg.neural_network import RegularizedMLPClassifier

# (estimator, {check name: reason}) pairs. An entry in the dict is an expected
# failure and must say why.
LINEAR = [
    (LassoRegressor(), {}),
    (ElasticNet(), {}),
    (ElasticNet(l1_ratio=0.3, positive=True), {}),
    (LassoRegressor(fit_intercept=False), {}),
    (ElasticNet(selection="random", random_state=0), {}),
    (LassoRegressor(precompute=True), {}),
]

# --- ridge configurations (filled by the ridge work) ---
RIDGE = [
    (RidgeRegressor(), {}),
    (RidgeRegressor(solver="svd"), {}),
    (RidgeRegressor(solver="cholesky"), {}),
    (RidgeRegressor(solver="eigh"), {}),
    (RidgeRegressor(solver="lsqr"), {}),
    (RidgeRegressor(solver="sparse_cg"), {}),
    (RidgeRegressor(solver="lbfgs", positive=True), {}),
    (RidgeRegressor(solver="lbfgs"), {}),
    (RidgeRegressor(fit_intercept=False, alpha=0.5), {}),
]

# --- path, early stopping and cross-validation ---
_SPLIT = {
    "check_sample_weight_equivalence_on_dense_data": (
        "early stopping holds out a random share of the rows: repeated copies of "
        "a row can straddle training and validation where a weighted row cannot"
    ),
}
_SPLIT["check_sample_weight_equivalence_on_sparse_data"] = _SPLIT[
    "check_sample_weight_equivalence_on_dense_data"
]
PATH_CV = [
    (LassoRegressorCV(), {}),
    (LassoRegressorCV(selection_rule="1se", cv=3, alphas=10), {}),
    (ElasticNetCV(l1_ratio=[0.2, 0.9], alphas=8), {}),
    (ElasticNetCV(l1_ratio=0.0, alphas=[1.0, 0.1]), {}),
    (LassoRegressor(alpha=1e-3, early_stopping=True, validation_fraction=0.2),
     _SPLIT),
    (ElasticNet(alpha=1e-3, early_stopping=True, validation_fraction=0.2,
                n_alphas=20, random_state=0), _SPLIT),
]

# --- ridge cross-validation and early stopping (_SPLIT: the path's reasons) ---
RIDGE_CV = [
    (RidgeRegressorCV(), {}),
    (RidgeRegressorCV(cv=3, selection_rule="1se"), {}),
    (RidgeRegressorCV(alphas=[0.01, 1.0, 100.0], alpha_per_target=True,
                      fit_intercept=False), {}),
    (RidgeRegressor(alpha=1e-3, early_stopping=True, validation_fraction=0.2,
                    random_state=0), _SPLIT),
    (RidgeRegressor(alpha=1e-3, early_stopping=True, validation_fraction=0.2,
                    n_alphas=20, solver="svd"), _SPLIT),
]

# --- network configurations (filled by the network work) ---
_SWE = "check_sample_weight_equivalence_on_dense_data"
_DROPOUT = {
    _SWE: "stochastic fit: dropout masks are drawn per sample row, so a repeated "
    "sample gets its own masks where a weighted one gets one"
}
_SPLIT = {
    _SWE: "stochastic fit: the validation split draws samples, so repeated copies "
    "can straddle train and validation where a weighted sample cannot"
}
_ALL_NOISE = {
    _SWE: "stochastic fit: dropout masks, input noise and the validation split are "
    "drawn per sample, so repeating a sample is not the same draw as weighting it"
}
NETWORK = [
    (RegularizedMLPClassifier(), {}),
    (RegularizedMLPClassifier(dropout=0.2, max_iter=50), _DROPOUT),
    (RegularizedMLPClassifier(early_stopping=True, max_iter=50), _SPLIT),
    (
        RegularizedMLPClassifier(
            early_stopping=True, scoring="accuracy", validation_fraction=0.2,
            max_iter=50,
        ),
        _SPLIT,
    ),
    (
        RegularizedMLPClassifier(
            alpha=1e-3, l1_ratio=0.5, learning_rate_init=0.01, max_iter=50
        ),
        {},
    ),
    (RegularizedMLPClassifier(weight_decay=1e-2, max_iter=50), {}),
    (
        RegularizedMLPClassifier(
            (32, 16), dropout=[0.3, 0.1], input_noise=0.1, early_stopping=True,
            weight_decay=1e-2, alpha=1e-3, l1_ratio=0.5, learning_rate_init=0.01,
            max_iter=50,
        ),
        _ALL_NOISE,
    ),
    (
        RegularizedMLPClassifier(
            solver="sgd", learning_rate="adaptive", learning_rate_init=0.1,
            max_iter=50,
        ),
        {},
    ),
]

ALL = LINEAR + RIDGE + NETWORK + PATH_CV + RIDGE_CV


@parametrize_with_checks(
    [est for est, _ in ALL],
    expected_failed_checks=lambda est: next(
        xfail for e, xfail in ALL if e is est
    ),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
