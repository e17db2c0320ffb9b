"""skreg: regularized estimators for scikit-learn."""

from .linear_model import ElasticNet, LassoRegressor

__version__ = "0.1.0.dev0"
__all__ = ["ElasticNet", "LassoRegressor"]
