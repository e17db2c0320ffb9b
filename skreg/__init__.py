"""skreg: regularized estimators for scikit-learn."""

from .linear_model import (
    ElasticNet,
    ElasticNetCV,
    LassoRegressor,
    LassoRegressorCV,
    RidgeRegressor,
    alpha_grid,
    enet_path,
    lasso_path,
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
    "alpha_grid",
    "enet_path",
    "lasso_path",
]
