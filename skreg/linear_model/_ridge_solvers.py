"""Ridge solvers: pure functions from a centred :class:`Design` to coefficients.

Every solver minimises, for each target ``t`` independently,

    ||Xc w - y_t||^2 + alpha_t ||w||^2

on the centred, row-scaled design ``Xc`` built by ``make_design`` (the intercept
and the sample weights are already folded in). Each returns a
:class:`RidgeSolution` with float64 coefficients of shape (n_targets, n_features).

The spectral routes factor the problem once into a :class:`Spectrum` and then
solve it for any number of alphas at the cost of a matrix product each; the
regularization path and the leave-one-out CV are meant to reuse
``svd_decompose`` / ``eigh_decompose`` and ``spectral_coefs``.
"""

from typing import NamedTuple

import numpy as np
from scipy import linalg, optimize
from scipy.linalg import blas
from scipy.sparse.linalg import LinearOperator, cg, lsqr

from ._base import centered_operator, weighted_offsets

__all__ = [
    "GramStats",
    "RidgeSolution",
    "Spectrum",
    "centered_gram",
    "centered_kernel",
    "dense_gram",
    "gram_spectrum",
    "eigh_decompose",
    "spectral_coefs",
    "svd_decompose",
    "solve_cholesky",
    "solve_cholesky_gram",
    "solve_eigh",
    "solve_lbfgs",
    "solve_lsqr",
    "solve_sparse_cg",
    "solve_svd",
]

_EPS = np.finfo(np.float64).eps


class RidgeSolution(NamedTuple):
    """Output of a ridge solver.

    Attributes
    ----------
    coef : ndarray of shape (n_targets, n_features)
    n_iter : ndarray of shape (n_targets,)
        Iterations per target; 1 for the direct (one-shot) routes.
    unconverged : tuple of int
        Targets on which an iterative solver hit ``max_iter`` (empty if none).
    """

    coef: np.ndarray
    n_iter: np.ndarray
    unconverged: tuple = ()


class Spectrum(NamedTuple):
    """One factorisation of a ridge problem, reusable for any alpha.

    For every alpha, ``coef(alpha) = basis @ (proj / (eigvals + alpha))``:

    - SVD ``Xc = U diag(s) V^T``: ``basis = V``, ``eigvals = s**2``,
      ``proj = s * U^T Y``;
    - Gram ``Xc^T Xc = V diag(l) V^T`` (n_features <= n_samples): ``basis = V``,
      ``proj = V^T Xc^T Y``;
    - kernel ``Xc Xc^T = U diag(l) U^T`` (n_features > n_samples):
      ``basis = Xc^T U``, ``proj = U^T Y``.

    Attributes
    ----------
    basis : ndarray of shape (n_features, rank)
    eigvals : ndarray of shape (rank,)
        Non-negative eigenvalues of ``Xc^T Xc`` (squared singular values).
    proj : ndarray of shape (rank, n_targets)
    left : ndarray of shape (n_samples, rank) or None
        The orthonormal sample-space factor ``U`` when the route computed it
        (SVD and kernel); the leave-one-out hat diagonal is built from it.
    """

    basis: np.ndarray
    eigvals: np.ndarray
    proj: np.ndarray
    left: np.ndarray | None = None


# ---------------------------------------------------------------- products
def _dense64(design):
    """The centred design as a float64 ndarray, or ``None`` if sparse."""
    if design.is_sparse:
        return None
    X = design.X if design.centred else design.centred_dense()
    return np.asarray(X, dtype=np.float64)


def centered_gram(design):
    """``Xc^T Xc`` (float64, dense) and ``Xc^T Y``, without densifying sparse X."""
    X, Y = design.X, np.asarray(design.y, dtype=np.float64)
    if not design.is_sparse:
        X = _dense64(design)
        # X.T @ X on one buffer is dispatched to BLAS syrk (half the flops).
        return X.T @ X, X.T @ Y
    X = X.astype(np.float64, copy=False)
    gram = (X.T @ X).toarray()
    XtY = np.asarray(X.T @ Y)
    m = np.asarray(design.X_offset, dtype=np.float64)
    if np.any(m):
        # Xc = X - v m^T with v the row scale: expand the products of the
        # implicit rank-one correction instead of forming Xc.
        v = np.asarray(design.row_scale, dtype=np.float64)
        c = np.asarray(X.T @ v).ravel()
        gram -= np.outer(m, c)
        gram -= np.outer(c, m)
        gram += (v @ v) * np.outer(m, m)
        XtY -= np.outer(m, v @ Y)
    return gram, XtY


class GramStats(NamedTuple):
    """The sufficient statistics of a tall ridge problem.

    Attributes
    ----------
    gram : ndarray of shape (n_features, n_features)
        ``Xc^T Xc`` of the centred, row-scaled design (float64).
    XtY : ndarray of shape (n_features, n_targets)
        ``Xc^T Yc``.
    X_offset : ndarray of shape (n_features,)
    y_offset : ndarray of shape (n_targets,)
    """

    gram: np.ndarray
    XtY: np.ndarray
    X_offset: np.ndarray
    y_offset: np.ndarray


def dense_gram(X, y, sample_weight, fit_intercept, *, block_bytes=1 << 23):
    """:class:`GramStats` of dense X, streamed: X is never copied whole.

    Row blocks of about ``block_bytes`` are centred, scaled by ``sqrt(s)`` and
    upcast to float64 in a small buffer and accumulated into the Gram matrix
    with BLAS ``syrk``; this is the same arithmetic as centring a full copy
    and multiplying it, minus the copy (a quarter of the time of a tall fit).
    """
    n_samples, n_features = X.shape
    Y = np.asarray(y, dtype=np.float64).reshape(n_samples, -1)
    X_offset, y_offset = weighted_offsets(X, Y, sample_weight, fit_intercept,
                                          np.float64)
    scale = None if sample_weight is None else np.sqrt(sample_weight)
    gram = np.zeros((n_features, n_features), order="F")
    XtY = np.zeros((n_features, Y.shape[1]))
    step = max(64, block_bytes // (8 * max(n_features, 1)))
    for start in range(0, n_samples, step):
        rows = slice(start, start + step)
        block = np.subtract(X[rows], X_offset, dtype=np.float64)
        Yb = Y[rows] - y_offset
        if scale is not None:
            block *= scale[rows, None]
            Yb *= scale[rows, None]
        # syrk wants an F-ordered operand: block (C) is block.T (F) transposed.
        if block.flags.f_contiguous:
            gram = blas.dsyrk(1.0, block, beta=1.0, c=gram, trans=1, lower=0,
                              overwrite_c=1)
        else:
            gram = blas.dsyrk(1.0, block.T, beta=1.0, c=gram, trans=0, lower=0,
                              overwrite_c=1)
        XtY += block.T @ Yb
    gram = np.triu(gram) + np.triu(gram, 1).T  # syrk filled the upper triangle
    return GramStats(gram, XtY, X_offset, y_offset)


def centered_kernel(design):
    """``Xc Xc^T`` (float64, dense), without densifying sparse X."""
    X = design.X
    if not design.is_sparse:
        X = _dense64(design)
        return X @ X.T
    X = X.astype(np.float64, copy=False)
    K = (X @ X.T).toarray()
    m = np.asarray(design.X_offset, dtype=np.float64)
    if np.any(m):
        v = np.asarray(design.row_scale, dtype=np.float64)
        Xm = np.asarray(X @ m).ravel()
        K -= np.outer(Xm, v)
        K -= np.outer(v, Xm)
        K += (m @ m) * np.outer(v, v)
    return K


def _centered_rmatmat(design, C):
    """``Xc^T C`` for C of shape (n_samples, k)."""
    X = design.X
    if not design.is_sparse:
        return _dense64(design).T @ C
    out = np.asarray(X.T @ C, dtype=np.float64)
    m = np.asarray(design.X_offset, dtype=np.float64)
    if np.any(m):
        v = np.asarray(design.row_scale, dtype=np.float64)
        out -= np.outer(m, v @ C)
    return out


def _operator64(design):
    """The centred design as a float64 LinearOperator."""
    X = design.X
    if design.is_sparse:
        X = X.astype(np.float64, copy=False)
    else:
        X = np.asarray(X, dtype=np.float64)
    return centered_operator(design._replace(
        X=X,
        X_offset=np.asarray(design.X_offset, dtype=np.float64),
        row_scale=np.asarray(design.row_scale, dtype=np.float64),
    ))


def _groups(alpha):
    """Targets grouped by equal alpha: ``[(alpha_value, target_indices), ...]``."""
    values, inverse = np.unique(alpha, return_inverse=True)
    return [(a, np.flatnonzero(inverse == i)) for i, a in enumerate(values)]


def _direct(coef):
    return RidgeSolution(coef, np.ones(coef.shape[0], dtype=np.int64))


# ---------------------------------------------------------------- spectral
def svd_decompose(design):
    """Thin SVD of the (dense) centred design as a :class:`Spectrum`."""
    X = _dense64(design)
    if X is None:
        raise ValueError("svd_decompose needs a dense design.")
    U, s, Vt = linalg.svd(X, full_matrices=False, check_finite=False,
                          lapack_driver="gesdd")
    Y = np.asarray(design.y, dtype=np.float64)
    return Spectrum(Vt.T, s * s, s[:, None] * (U.T @ Y), U)


def eigh_decompose(design):
    """Eigendecomposition of the Gram (n_features <= n_samples) or kernel matrix.

    Works for dense and sparse designs; the matrix eigendecomposed is
    ``min(n_samples, n_features)`` square.
    """
    n_samples, n_features = design.X.shape
    if n_features <= n_samples:
        return gram_spectrum(*centered_gram(design))
    K = centered_kernel(design)
    lam, U = linalg.eigh(K, overwrite_a=True, check_finite=False)
    Y = np.asarray(design.y, dtype=np.float64)
    return Spectrum(_centered_rmatmat(design, U), np.maximum(lam, 0), U.T @ Y, U)


def gram_spectrum(gram, XtY):
    """:class:`Spectrum` from the Gram matrix ``Xc^T Xc`` and ``Xc^T Y``."""
    lam, V = linalg.eigh(gram, check_finite=False)
    return Spectrum(V, np.maximum(lam, 0), V.T @ XtY)


def _inverse_shift(eigvals, alphas):
    """``1 / (eigvals + alpha)`` for each alpha, shape (n_alphas, rank).

    At ``alpha = 0`` the directions whose eigenvalue is at rounding level are
    dropped, which yields the minimum-norm least-squares solution.
    """
    top = eigvals.max(initial=0.0)
    cutoff = top * _EPS * eigvals.shape[0]
    denom = eigvals[None, :] + alphas[:, None]
    keep = (denom > cutoff) & (denom > 0)
    return np.divide(1.0, denom, out=np.zeros_like(denom), where=keep)


def spectral_coefs(spectrum, alphas):
    """Ridge coefficients for many alphas from one :class:`Spectrum`.

    Parameters
    ----------
    spectrum : Spectrum
    alphas : array-like of shape (n_alphas,) or (n_alphas, n_targets)
        One alpha per grid point (shared by the targets) or one per target.

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_targets, n_features)
    """
    basis, lam, proj = spectrum.basis, spectrum.eigvals, spectrum.proj
    alphas = np.asarray(alphas, dtype=np.float64)
    n_targets = proj.shape[1]
    if alphas.ndim == 1:
        inv = _inverse_shift(lam, alphas)  # (n_alphas, rank)
        # (n_alphas, rank, n_targets) -> one GEMM for the whole grid.
        scaled = inv[:, :, None] * proj[None, :, :]
        n_alphas = alphas.shape[0]
        flat = scaled.transpose(1, 0, 2).reshape(lam.shape[0], n_alphas * n_targets)
        coefs = (basis @ flat).reshape(basis.shape[0], n_alphas, n_targets)
        return coefs.transpose(1, 2, 0)
    coefs = np.empty((alphas.shape[0], n_targets, basis.shape[0]))
    for t in range(n_targets):
        inv = _inverse_shift(lam, alphas[:, t])
        coefs[:, t, :] = (inv * proj[:, t]) @ basis.T
    return coefs


def solve_svd(design, alpha):
    """Ridge by the SVD of the dense centred design (most robust route)."""
    return _direct(spectral_coefs(svd_decompose(design), alpha[None, :])[0])


def solve_eigh(design, alpha):
    """Ridge by one eigendecomposition of the Gram or kernel matrix."""
    return _direct(spectral_coefs(eigh_decompose(design), alpha[None, :])[0])


# ---------------------------------------------------------------- cholesky
def _shifted_solve(A, B, shift):
    """Solve ``(A + shift I) X = B`` by Cholesky; pseudo-inverse if singular."""
    M = A.copy()
    M.flat[:: M.shape[0] + 1] += shift
    try:
        factor = linalg.cho_factor(M, overwrite_a=True, check_finite=False)
    except linalg.LinAlgError:
        # Singular only when alpha is 0 (or negligible) and Xc is rank
        # deficient: fall back to the minimum-norm least-squares solution.
        lam, V = linalg.eigh(A, check_finite=False)
        inv = _inverse_shift(np.maximum(lam, 0), np.array([shift]))[0]
        return V @ (inv[:, None] * (V.T @ B))
    return linalg.cho_solve(factor, B, overwrite_b=False, check_finite=False)


def solve_cholesky(design, alpha):
    """Ridge by a Cholesky factorisation of the Gram or, if wide, kernel matrix.

    ``(Xc^T Xc + alpha I) w = Xc^T y`` when n_features <= n_samples, else the
    dual ``(Xc Xc^T + alpha I) c = y`` with ``w = Xc^T c``. Sparse designs are
    handled with implicit centring (the dense matrix is the small Gram/kernel).
    """
    n_samples, n_features = design.X.shape
    if n_features <= n_samples:
        return solve_cholesky_gram(*centered_gram(design), alpha)
    K = centered_kernel(design)
    dual = _solve_shifted_groups(K, np.asarray(design.y, dtype=np.float64), alpha)
    return _direct(np.ascontiguousarray(_centered_rmatmat(design, dual).T))


def solve_cholesky_gram(gram, XtY, alpha):
    """Ridge from the Gram matrix: ``(gram + alpha_t I) w_t = XtY[:, t]``."""
    return _direct(np.ascontiguousarray(_solve_shifted_groups(gram, XtY, alpha).T))


def _solve_shifted_groups(A, B, alpha):
    """``(A + alpha_t I) x_t = B[:, t]``, one factorisation per distinct alpha."""
    sol = np.empty((A.shape[0], B.shape[1]))
    for a, targets in _groups(alpha):
        sol[:, targets] = _shifted_solve(A, B[:, targets], a)
    return sol


# ---------------------------------------------------------------- iterative
def solve_lsqr(design, alpha, *, tol, max_iter):
    """Ridge by LSQR on the centred operator, ``damp = sqrt(alpha)``."""
    op = _operator64(design)
    Y = np.asarray(design.y, dtype=np.float64)
    n_targets = Y.shape[1]
    coef = np.empty((n_targets, design.X.shape[1]))
    n_iter = np.empty(n_targets, dtype=np.int64)
    unconverged = []
    for t in range(n_targets):
        out = lsqr(op, Y[:, t], damp=np.sqrt(alpha[t]), atol=tol, btol=tol,
                   iter_lim=max_iter)
        coef[t], istop, itn = out[0], out[1], out[2]
        n_iter[t] = max(itn, 1)
        if istop == 7:
            unconverged.append(t)
    return RidgeSolution(coef, n_iter, tuple(unconverged))


def solve_sparse_cg(design, alpha, *, tol, max_iter):
    """Ridge by conjugate gradients on the normal (or, if wide, dual) equations."""
    op = _operator64(design)
    Y = np.asarray(design.y, dtype=np.float64)
    n_samples, n_features = op.shape
    n_targets = Y.shape[1]
    dual = n_features > n_samples
    coef = np.empty((n_targets, n_features))
    n_iter = np.empty(n_targets, dtype=np.int64)
    unconverged = []
    for t in range(n_targets):
        a = alpha[t]
        if dual:
            size = n_samples

            def matvec(c, a=a):
                return op.matvec(op.rmatvec(c)) + a * c

            rhs = Y[:, t]
        else:
            size = n_features

            def matvec(w, a=a):
                return op.rmatvec(op.matvec(w)) + a * w

            rhs = op.rmatvec(Y[:, t])
        A = LinearOperator((size, size), matvec=matvec, dtype=np.float64)
        count = [0]

        def callback(_, count=count):
            count[0] += 1

        x, info = cg(A, rhs, rtol=tol, maxiter=max_iter, callback=callback)
        coef[t] = op.rmatvec(x) if dual else x
        n_iter[t] = max(count[0], 1)
        if info > 0:
            unconverged.append(t)
    return RidgeSolution(coef, n_iter, tuple(unconverged))


def _polish_positive(restricted, XtY_t, w, max_rounds=20):
    """Exact non-negative ridge from the support L-BFGS-B found, if reachable.

    Active-set refinement: solve the unconstrained ridge on the support, drop
    the coordinates that come out non-positive, add those whose gradient is
    negative off the support, until the KKT conditions hold (return the exact
    solution) or ``max_rounds`` is spent (return ``None``).
    ``restricted(support)`` returns the ridge solution on ``support`` and a
    callable giving the full gradient of the data term there.
    """
    n_features = w.shape[0]
    support = np.flatnonzero(w > 0)
    scale = max(np.abs(XtY_t).max(initial=0.0), 1.0)
    threshold = -1e3 * _EPS * scale * n_features
    for _ in range(max_rounds):
        if support.size == 0:
            if np.all(-XtY_t >= threshold):
                return np.zeros_like(w)
            support = np.array([np.argmax(XtY_t)])
        w_s, gradient = restricted(support)
        if np.any(w_s <= 0):
            support = support[w_s > 0]
            continue
        grad = gradient()  # alpha * w vanishes off the support
        grad[support] = 0.0
        violators = np.flatnonzero(grad < threshold)
        if violators.size == 0:
            out = np.zeros_like(w)
            out[support] = w_s
            return out
        support = np.union1d(support, violators)
    return None


def _gram_restricted(gram, b, a):
    def restricted(support):
        G_s = gram[:, support]
        w_s = _shifted_solve(G_s[support], b[support], a)
        return w_s, lambda: G_s @ w_s - b
    return restricted


def _design_restricted(design, op, y, a):
    """Support problems as sub-designs: primal or dual Cholesky, never densified."""
    def restricted(support):
        sub = design._replace(X=design.X[:, support],
                              X_offset=design.X_offset[support], y=y[:, None])
        w_s = solve_cholesky(sub, np.array([a])).coef[0]
        return w_s, lambda: op.rmatvec(_operator64(sub).matvec(w_s) - y)
    return restricted


def solve_lbfgs(design, alpha, *, tol, max_iter, positive):
    """Ridge by L-BFGS-B, with ``w >= 0`` bounds when ``positive``.

    Minimises ``0.5 ||Xc w - y||^2 + 0.5 alpha ||w||^2``; dense tall designs use
    the precomputed Gram matrix so an iteration costs O(n_features^2). With
    ``positive``, the support L-BFGS-B finds is then solved exactly and kept
    when it satisfies the KKT conditions, so the result does not depend on
    ``tol`` in that (usual) case.
    """
    Y = np.asarray(design.y, dtype=np.float64)
    n_samples, n_features = design.X.shape
    n_targets = Y.shape[1]
    use_gram = not design.is_sparse and n_features <= n_samples
    if use_gram:
        gram, XtY = centered_gram(design)
    else:
        op = _operator64(design)
    options = {"maxiter": 15000 if max_iter is None else max_iter, "gtol": tol}
    bounds = [(0, np.inf)] * n_features if positive else None
    coef = np.empty((n_targets, n_features))
    n_iter = np.empty(n_targets, dtype=np.int64)
    unconverged = []
    for t in range(n_targets):
        a, y = alpha[t], Y[:, t]
        half_yy = 0.5 * (y @ y)
        if use_gram:
            b = XtY[:, t]

            def fun(w, a=a, b=b, half_yy=half_yy):
                Gw = gram @ w
                f = 0.5 * (w @ Gw) - b @ w + half_yy + 0.5 * a * (w @ w)
                return f, Gw - b + a * w
        else:

            def fun(w, a=a, y=y):
                r = op.matvec(w) - y
                return 0.5 * (r @ r) + 0.5 * a * (w @ w), op.rmatvec(r) + a * w

        res = optimize.minimize(fun, np.zeros(n_features), method="L-BFGS-B",
                                jac=True, bounds=bounds, tol=tol, options=options)
        w = res.x
        n_iter[t] = max(res.nit, 1)
        if positive:
            if use_gram:
                restricted = _gram_restricted(gram, XtY[:, t], a)
                polished = _polish_positive(restricted, XtY[:, t], w)
            else:
                restricted = _design_restricted(design, op, y, a)
                polished = _polish_positive(restricted, op.rmatvec(y), w)
            if polished is not None:
                w = polished
            elif res.status == 1:
                unconverged.append(t)
        elif res.status == 1:
            unconverged.append(t)
        coef[t] = w
    return RidgeSolution(coef, n_iter, tuple(unconverged))
