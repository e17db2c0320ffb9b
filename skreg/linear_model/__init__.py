"""Linear models: coordinate-descent elastic net and lasso, ridge."""

from ._elastic_net import ElasticNet, LassoRegressor

__all__ = ["ElasticNet", "LassoRegressor"]
