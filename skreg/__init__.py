"""skreg: regularized estimators for scikit-learn."""

from ._lazy import lazy_exports

__version__ = "0.1.0.dev0"

_EXPORTS = {
    "ElasticNet": ".linear_model",
    "ElasticNetCV": ".linear_model",
    "LassoRegressor": ".linear_model",
    "LassoRegressorCV": ".linear_model",
    "RegularizedMLPClassifier": ".neural_network",
    "RidgeRegressor": ".linear_model",
    "RidgeRegressorCV": ".linear_model",
    "alpha_grid": ".linear_model",
    "enet_path": ".linear_model",
    "lasso_path": ".linear_model",
    "ridge_path": ".linear_model",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(
    __name__, _EXPORTS, subpackages=("linear_model", "neural_network")
)
