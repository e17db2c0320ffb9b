"""Linear models: coordinate-descent elastic net and lasso, ridge, paths and CV."""

from ._cv import ElasticNetCV, LassoRegressorCV
from ._elastic_net import ElasticNet, LassoRegressor
from ._path import alpha_grid, enet_path, lasso_path
from ._ridge import RidgeRegressor
from ._ridge_cv import RidgeRegressorCV
from ._ridge_path import ridge_path

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "LassoRegressor",
    "LassoRegressorCV",
    "RidgeRegressor",
    "RidgeRegressorCV",
    "alpha_grid",
    "enet_path",
    "lasso_path",
    "ridge_path",
]
