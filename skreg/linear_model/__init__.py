"""Linear models: coordinate-descent elastic net and lasso, ridge, paths and CV."""

from .._lazy import lazy_exports

_EXPORTS = {
    "ElasticNet": "._elastic_net",
    "ElasticNetCV": "._cv",
    "LassoRegressor": "._elastic_net",
    "LassoRegressorCV": "._cv",
    "RidgeRegressor": "._ridge",
    "RidgeRegressorCV": "._ridge_cv",
    "alpha_grid": "._path",
    "enet_path": "._path",
    "lasso_path": "._path",
    "ridge_path": "._ridge_path",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
