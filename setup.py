"""Build the Cython kernels; all metadata lives in pyproject.toml."""

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = [
    Extension(
        "skreg.linear_model._cd_fast",
        ["skreg/linear_model/_cd_fast.pyx"],
        include_dirs=[np.get_include(), "skreg/linear_model"],
        depends=["skreg/linear_model/_vector_ops.h",
                 "skreg/linear_model/_register_pass.h",
                 "skreg/linear_model/_pair_pass.h",
                 "skreg/linear_model/_cache_sizes.h",
                 "skreg/linear_model/_simd.h"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        # Python's own flags carry -fwrapv, which CPython needs and Cython's
        # code does not; it keeps gcc from unrolling the pass's vector loops
        # (25% slower at 100 rows).
        extra_compile_args=["-O3", "-fno-wrapv"],
    ),
    Extension(
        "skreg.linear_model._columns_fast",
        ["skreg/linear_model/_columns_fast.pyx"],
        include_dirs=["skreg/linear_model"],
        depends=["skreg/linear_model/_stats_ops.h",
                 "skreg/linear_model/_rows_dot.h",
                 "skreg/linear_model/_cache_sizes.h",
                 "skreg/linear_model/_cross_products.h",
                 "skreg/linear_model/_gather_rows.h",
                 "skreg/linear_model/_simd.h"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        extra_compile_args=["-O3", "-fno-wrapv"],  # see _cd_fast
    ),
    Extension(
        "skreg.neural_network._adam_fast",
        ["skreg/neural_network/_adam_fast.pyx"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        # sqrt without errno lets gcc vectorise the loop
        extra_compile_args=["-O3", "-fno-math-errno"],
    ),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": "3",
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
