"""Adam's moment update and scaling fused into one pass over memory.

Done in numpy, one Adam step is nine passes over the parameters (moments, square,
square root, divide, scale), which is a fifth of an epoch of a BLAS-bound network;
this loop reads and writes each element once.
"""

from libc.math cimport sqrt

ctypedef fused floating:
    float
    double


def adam_scale(
    floating[::1] g,
    floating[::1] m,
    floating[::1] v,
    double b1,
    double b2,
    double eps,
    double factor,
    floating[::1] diagonal,
    double diagonal_scale,
):
    """Update the unnormalised moments in place and overwrite ``g`` with the step.

    ``m <- b1 m + g``, ``v <- b2 v + g^2``, ``g <- factor m / (sqrt(v) + eps)``;
    if ``diagonal`` is not None it receives ``diagonal_scale (sqrt(v) + eps)``.
    All arrays are flat, contiguous and of one dtype.
    """
    cdef Py_ssize_t i, n = g.shape[0]
    cdef floating gi, mi, vi, den
    cdef floating fb1 = <floating>b1, fb2 = <floating>b2, feps = <floating>eps
    cdef floating ffactor = <floating>factor, fscale = <floating>diagonal_scale
    cdef bint keep = diagonal is not None
    if m.shape[0] != n or v.shape[0] != n or (keep and diagonal.shape[0] != n):
        raise ValueError("adam_scale: arrays of different sizes.")
    with nogil:
        for i in range(n):
            gi = g[i]
            mi = fb1 * m[i] + gi
            vi = fb2 * v[i] + gi * gi
            m[i] = mi
            v[i] = vi
            den = sqrt(vi) + feps
            if keep:
                diagonal[i] = fscale * den
            g[i] = ffactor * mi / den
