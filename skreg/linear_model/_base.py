"""Shared linear-model plumbing: validation, weighted centering, intercept, predict.

Every linear estimator reduces its weighted, intercept-fitted problem to an
unweighted, intercept-free one on a *design*: rows scaled by ``sqrt(s_i)`` and
columns centred by their weighted means. Dense designs are centred explicitly
(in a private copy); sparse designs are never densified, so they carry the
column means and the row scale vector and are centred implicitly by the kernels.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator
from sklearn.base import RegressorMixin
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import (
    check_bool,
    check_choice,
    check_int,
    check_real,
    split_weights,
)
from ._columns_fast import (
    centred_sq_norms,
    column_stats,
    column_stats_gather,
    column_sums,
)

__all__ = [
    "Design",
    "check_bool",
    "LinearModelMixin",
    "centered_operator",
    "check_sample_weight",
    "check_choice",
    "check_real",
    "check_int",
    "design_stats",
    "KeptStatsDesign",
    "keep_stats",
    "make_design",
    "split_weights",
    "validate_fit_data",
    "weighted_offsets",
]


def check_sample_weight(sample_weight, X, dtype, *, normalised=True):
    """Validate ``sample_weight``: 1-D, finite, non-negative, not all zero.

    Returns a new array (never the caller's), or ``None`` for unit weights. A
    scalar weight is a constant one: dropped (``None``) when the objective
    normalises the weights, else spread over the samples.
    """
    if sample_weight is None:
        return None
    n_samples = X.shape[0]
    if np.isscalar(sample_weight) and not isinstance(sample_weight, str):
        value = check_real(sample_weight, "sample_weight", low=0, closed="neither")
        return None if normalised else np.full(n_samples, value, dtype=dtype)
    sw = np.array(sample_weight, dtype=dtype, copy=True)
    if sw.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1-D of shape ({n_samples},), got shape {sw.shape}."
        )
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {sw.shape[0]} entries but X has {n_samples} samples."
        )
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not np.any(sw > 0):
        raise ValueError(
            "sample_weight must not be all zero: at least one weight must be positive."
        )
    return sw


def validate_fit_data(estimator, X, y, *, accept_sparse=True, order=None,
                      check_finite=True):
    """Validate ``X`` and ``y`` for fitting a linear regressor.

    ``X`` keeps float32 or becomes float64; ``y`` takes ``X``'s dtype; sparse
    ``X`` becomes CSC. Dense ``X`` keeps its memory order unless ``order`` asks
    otherwise: :func:`make_design` makes the one copy the solvers need. Inputs
    are never modified. With ``check_finite=False`` the caller must check ``X``
    (see :func:`design_stats`); ``y`` is always checked.
    """
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse="csc" if accept_sparse else False,
        dtype=[np.float64, np.float32],
        order=order,
        multi_output=True,
        y_numeric=True,
        copy=False,
        ensure_all_finite=check_finite,
    )
    y = np.asarray(y, dtype=X.dtype)
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError("y has 0 targets; at least one is required.")
    return X, y


class Design(NamedTuple):
    """A weighted, centred least-squares problem with no intercept.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features) or csc_matrix
        Rows scaled by ``sqrt(s)``. Columns centred when ``centred`` is True;
        otherwise column j stands for ``X[:, j] - X_offset[j] * row_scale`` and
        consumers centre implicitly. Sparse X is never centred; dense X is
        centred in a copy when weighted, and left as the caller's own array
        (centred implicitly) when unweighted, so a fit needs no copy of X.
    y : ndarray of shape (n_samples, n_targets)
        Centred, row-scaled targets (F-ordered).
    X_offset : ndarray of shape (n_features,)
        Weighted column means (zeros without an intercept).
    y_offset : ndarray of shape (n_targets,)
        Weighted target means (zeros without an intercept).
    row_scale : ndarray of shape (n_samples,)
        ``sqrt(s)``; the direction a column's mean is removed along.
    centred : bool
        Whether ``X`` itself is the centred matrix.
    """

    X: object
    y: np.ndarray
    X_offset: np.ndarray
    y_offset: np.ndarray
    row_scale: np.ndarray
    centred: bool = True

    @property
    def is_sparse(self):
        return sp.issparse(self.X)

    @property
    def n_samples(self):
        return self.X.shape[0]

    def column_sq_norms(self):
        """Squared norms of the centred columns."""
        if self.is_sparse:
            sq = column_sums(self.X.data, self.X.indptr, True)
            # ||X_j - m_j v||^2 = ||X_j||^2 - 2 m_j X_j.v + m_j^2 ||v||^2,
            # with X_j.v = n_w m_j
            n_w = self.row_scale @ self.row_scale
            centred = sq - n_w * self.X_offset**2
            # Implicit centring cancels for (near-)constant columns: call those zero.
            centred[centred <= 64 * np.finfo(self.X.dtype).eps * sq] = 0
            return centred.astype(self.X.dtype, copy=False)
        if self.centred:
            return np.einsum("ij,ij->j", self.X, self.X)
        # Centred exactly, element by element: subtracting n m^2 would cancel for
        # columns whose mean is large against their spread.
        X = self.X
        if not (X.flags.c_contiguous or X.flags.f_contiguous):
            X = np.asfortranarray(X)
        sq = centred_sq_norms(X, self.X_offset.astype(np.float64))
        return sq.astype(self.X.dtype, copy=False)

    def centred_row_blocks(self, block_bytes=1 << 23):
        """Centred copies of consecutive row blocks of a dense ``X``."""
        X = self.X
        rows = max(1, block_bytes // max(1, X.shape[1] * X.itemsize))
        for start in range(0, X.shape[0], rows):
            yield X[start:start + rows] - self.X_offset

    def centred_dense(self):
        """The centred dense matrix, F-ordered (a copy unless already centred)."""
        if self.centred:
            return np.asfortranarray(self.X)
        out = np.empty(self.X.shape, dtype=self.X.dtype, order="F")
        np.subtract(self.X, self.X_offset, out=out)
        return out

    @property
    def xty(self):
        """``X^T y`` of each centred target, shape (n_targets, n_features), when
        known without another pass over X (see :class:`KeptStatsDesign`)."""
        return None

    @property
    def ready(self):
        """A first working set with its columns (``_sketch.Prefetched``),
        gathered in the pass that took the statistics, or None."""
        return None


class KeptStatsDesign(Design):
    """A :class:`Design` that keeps statistics of X once they are known.

    Its column norms are computed on first use (or given) and then kept: a
    path asks for them at each of its alphas, which would otherwise be a pass
    over X each time. ``xty`` may be given too. ``_replace`` makes a plain new
    instance, so nothing kept outlives the data it was computed from. Each
    call of :meth:`column_sq_norms` gets its own copy.
    """

    def column_sq_norms(self):
        norms = self.__dict__.get("norms")
        if norms is None:
            norms = self.__dict__["norms"] = super().column_sq_norms()
        return norms.copy()

    @property
    def xty(self):
        return self.__dict__.get("xty")

    @property
    def ready(self):
        return self.__dict__.get("ready")


def keep_stats(design, norms=None, xty=None, ready=None):
    """``design`` as a :class:`KeptStatsDesign`, with the statistics given."""
    kept = KeptStatsDesign(*design)
    kept.__dict__["ready"] = ready
    dtype = design.X.dtype
    if norms is not None:
        kept.__dict__["norms"] = np.asarray(norms).astype(dtype, copy=False)
    if xty is not None:
        kept.__dict__["xty"] = np.asarray(xty).astype(dtype, copy=False)
    return kept


def weighted_offsets(X, Y, sample_weight, fit_intercept, dtype):
    """Weighted column means of ``X`` and ``Y`` (zeros without an intercept).

    Sums accumulate in float64 whatever ``X``'s dtype; the means are returned
    in ``dtype``. ``Y`` is 2-D.
    """
    if not fit_intercept:
        return np.zeros(X.shape[1], dtype=dtype), np.zeros(Y.shape[1], dtype=dtype)
    if sample_weight is None:
        if sp.issparse(X) and X.format == "csc":
            X_offset = column_sums(X.data, X.indptr, False) / X.shape[0]
        else:
            # sum / n: scipy's sparse mean divides a copy of X before summing
            X_offset = np.asarray(X.sum(axis=0, dtype=np.float64)).ravel()
            X_offset /= X.shape[0]
        y_offset = Y.mean(axis=0, dtype=np.float64)
    else:
        sw_sum = sample_weight.sum(dtype=np.float64)
        X_offset = np.asarray(sample_weight @ X, dtype=np.float64).ravel() / sw_sum
        y_offset = np.asarray(sample_weight @ Y, dtype=np.float64) / sw_sum
    return X_offset.astype(dtype, copy=False), y_offset.astype(dtype, copy=False)


def design_stats(X, y, sample_weight, fit_intercept, estimator_name=None,
                 gather=None):
    """Check ``X`` is finite; on dense, unweighted, centred problems also return
    the column means, centred squared norms and ``X.T @ (y - mean(y))`` (for a
    single target), from the same single pass over ``X``.

    Returns ``(X_offset, sq_norms, xty, columns)``, the statistics in float64:
    ``(None, None, None, None)`` when the problem is sparse, weighted or
    without intercept (only the check is made), and ``xty`` None for several
    targets. With ``gather=(features, offset)`` the same pass gathers
    ``X[:, features] - offset[features]`` into ``columns`` (else None).
    """
    if not sp.issparse(X) and sample_weight is None and fit_intercept and (
            X.flags.c_contiguous or X.flags.f_contiguous):
        yc = None
        if y.ndim == 1 or y.shape[1] == 1:
            yc = np.ravel(y).astype(np.float64)
            yc -= yc.mean()
        columns = None
        if gather is None:
            mean, sq, xty = column_stats(X, yc)
        else:
            mean, sq, xty, columns = column_stats_gather(X, yc, *gather)
        if np.isfinite(mean).all() and np.isfinite(sq).all():
            return mean, sq, xty, columns
    else:
        mean = sq = xty = None
    # raises scikit-learn's own message on NaN or infinity (huge finite values
    # can overflow the squares without being an error)
    assert_all_finite(X.data if sp.issparse(X) else X, estimator_name=estimator_name,
                      input_name="X")
    return mean, sq, xty, None


def make_design(X, y, sample_weight, fit_intercept, X_offset=None):
    """Build the :class:`Design` of a weighted least-squares problem.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or csc_matrix
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    sample_weight : ndarray of shape (n_samples,) or None
        Already validated (and, where the objective asks for it, normalised).
    fit_intercept : bool
    X_offset : ndarray of shape (n_features,), default=None
        The column means, when already known (unweighted, with intercept; see
        :func:`design_stats`).

    Returns
    -------
    design : Design
    """
    dtype = X.dtype
    n_samples, n_features = X.shape
    Y = y.reshape(n_samples, -1)
    if sample_weight is None:
        row_scale = np.ones(n_samples, dtype=dtype)
    else:
        row_scale = np.sqrt(sample_weight).astype(dtype, copy=False)
    if X_offset is None:
        X_offset, y_offset = weighted_offsets(X, Y, sample_weight, fit_intercept,
                                              dtype)
    else:
        if sample_weight is not None or not fit_intercept:
            raise ValueError("make_design: X_offset given for a weighted problem "
                             "or one without intercept.")
        X_offset = np.asarray(X_offset).astype(dtype, copy=False)
        y_offset = Y.mean(axis=0, dtype=np.float64).astype(dtype, copy=False)

    Yc = np.asfortranarray((Y - y_offset) * row_scale[:, None], dtype=dtype)
    if sp.issparse(X):
        Xd = X.astype(dtype, copy=False)
        if sample_weight is not None:
            Xd = sp.csc_matrix(Xd.multiply(row_scale[:, None]))  # a new matrix
        if not Xd.has_canonical_format:
            # duplicate entries would break squared column norms; the caller's
            # matrix is left as it is
            if Xd is X:
                Xd = Xd.copy()
            Xd.sum_duplicates()
        return Design(Xd, Yc, X_offset, y_offset, row_scale, not fit_intercept)
    if sample_weight is None:
        return Design(X, Yc, X_offset, y_offset, row_scale, not fit_intercept)
    # Weighted: one copy in X's own memory order (a transposing copy costs twice
    # as much), centred and scaled in place.
    Xd = np.empty(X.shape, dtype=dtype, order="F" if X.flags.f_contiguous else "C")
    np.subtract(X, X_offset, out=Xd)
    Xd *= row_scale[:, None]
    return Design(Xd, Yc, X_offset, y_offset, row_scale, True)


def centered_operator(design):
    """The centred design matrix as a ``LinearOperator`` (never densified)."""
    X, m, v = design.X, design.X_offset, design.row_scale
    if design.centred or not np.any(m):
        return LinearOperator(
            X.shape, matvec=X.__matmul__, rmatvec=X.T.__matmul__, dtype=X.dtype
        )
    XT = X.T.tocsr() if sp.issparse(X) else X.T

    def matvec(w):
        w = np.ravel(w)
        return X @ w - (m @ w) * v

    def rmatvec(r):
        r = np.ravel(r)
        return XT @ r - m * (v @ r)

    return LinearOperator(X.shape, matvec=matvec, rmatvec=rmatvec, dtype=X.dtype)


class LinearModelMixin(RegressorMixin):
    """``predict`` and tags shared by skreg's linear regressors."""

    def predict(self, X):
        """Predict using the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc", "coo"],
            dtype=[np.float64, np.float32], reset=False,
        )
        return X @ self.coef_.T + self.intercept_

    def _set_intercept(self, coef, design, fit_intercept, single_target):
        """Store ``coef_`` and ``intercept_`` from centred-problem coefficients."""
        # coef: (n_targets, n_features)
        if fit_intercept:
            intercept = design.y_offset - coef @ design.X_offset
        else:
            intercept = np.zeros(coef.shape[0], dtype=coef.dtype)
        intercept = intercept.astype(coef.dtype, copy=False)
        if single_target:
            self.coef_ = coef[0]
            self.intercept_ = intercept.dtype.type(intercept[0])
        else:
            self.coef_ = coef
            self.intercept_ = intercept

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
