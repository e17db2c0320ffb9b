"""skreg: regularized estimators for scikit-learn."""

from .linear_model import (
    ElasticNet,
    ElasticNetCV,
    LassoRegressor,
    LassoRegressorCV,
    RidgeRegressor,
    RidgeRegressorCV,
    alpha_grid,
    enet_path,
    lasso_path,
    ridge_path,
)
from .neural_network import RegularizedMLPClassifier

__version__ = "0.1.0.dev0"
__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "LassoRegressor",
    "LassoRegressorCV",
    "RegularizedMLPClassifier",
    "RidgeRegressor",
    "RidgeRegressorCV",
    "alpha_grid",
    "enet_path",
    "lasso_path",
    "ridge_path",
]
