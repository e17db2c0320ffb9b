"""Every ``examples/plot_*.py`` runs on its own and writes its figure.

Each example runs in a subprocess, as a user would run it, with the Agg
backend, the quick sizes (``SKREG_EXAMPLES_QUICK=1``) and its figure written
into a temporary folder of its own. All of them are started together when
the module begins: most of an example's time is interpreter start-up,
imports and (for Dask) waiting on worker processes, which overlap well.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="the examples plot: pip install skreg[plot]")

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))
NEEDS = {"plot_dask_grid_search.py": "distributed"}


def _runnable(script):
    module = NEEDS.get(script.name)
    return module is None or importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Start every runnable example; map its name to (process, output folder)."""
    started = {}
    for script in filter(_runnable, EXAMPLES):
        folder = tmp_path_factory.mktemp(script.stem)
        env = dict(os.environ, MPLBACKEND="Agg", SKREG_EXAMPLES_QUICK="1",
                   SKREG_EXAMPLES_OUTDIR=str(folder),
                   # Several small runs at once: one BLAS thread each, or they
                   # spend their time contending for the cores.
                   OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   MKL_NUM_THREADS="1")
        process = subprocess.Popen([sys.executable, str(script)], cwd=folder,
                                   env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        started[script.name] = (process, folder)
    yield started
    for process, _ in started.values():
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_examples_are_found():
    # An emptied or moved examples/ folder would otherwise pass vacuously.
    names = {path.name for path in EXAMPLES}
    assert {"plot_l1_l2_geometry.py", "plot_regularization_paths.py",
            "plot_feature_selection_pipeline.py", "plot_grid_search_alpha.py",
            "plot_mlp_regularization.py", "plot_dask_grid_search.py"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_saves_its_figure(script, runs):
    if not _runnable(script):
        pytest.skip(reason=f"{script.name} needs {NEEDS[script.name]}, not installed")
    process, folder = runs[script.name]
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-3000:]
    figure = folder / f"{script.stem}.png"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The script tells the user where the figure went, and writes nothing else.
    assert f"saved figure to {figure.resolve()}" in stdout
    assert sorted(p.name for p in folder.iterdir()) == [figure.name]
