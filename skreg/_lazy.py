"""Lazy exports: a public name imports its module on first use (PEP 562).

``from skreg import LassoRegressor`` then loads the coordinate-descent models
only, not the network, Ridge or cross-validation code, which keeps a fresh
process (a joblib or Dask worker included) quick to start.
"""

import importlib


def lazy_exports(package, names, subpackages=()):
    """``(__getattr__, __dir__)`` for a package whose ``names`` map to modules.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : dict of str to str
        Public name -> module (relative to ``package``) that defines it.
    subpackages : iterable of str, default=()
        Public subpackages, imported on first attribute access (``import
        skreg; skreg.linear_model.lasso_path`` works as with scipy).
    """
    subpackages = frozenset(subpackages)

    def __getattr__(name):
        if name in subpackages:
            return importlib.import_module(f".{name}", package)  # sets the attribute
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(names[name], package), name)
        setattr(importlib.import_module(package), name, value)  # next time: direct
        return value

    def __dir__():
        return sorted(set(names) | subpackages)

    return __getattr__, __dir__
