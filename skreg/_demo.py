"""The showcase: every skreg estimator on data shipped with scikit-learn.

``run_demo`` fits (``_demo_fits``), prints one compact table and, when
matplotlib is installed, writes a few figures (``_demo_figures``).
"""

import functools
import time
from pathlib import Path

from ._demo_fits import fit_all

DEFAULT_FIGURES_DIR = "skreg-demo-figures"
NO_MATPLOTLIB = (
    "figures skipped: matplotlib is not installed. To get them:\n"
    '    pip install "skreg[plot]"    (or: pip install matplotlib)'
)

_HEADER = (f"  {'skreg estimator':<34}{'score':>6}{'zeroed':>7}  {'chosen':<22}"
           f"{'fit ms':>6} | sklearn peer: score, ms")


def _ms(seconds):
    return f"{1e3 * seconds:6.0f}" if seconds >= 0.01 else f"{1e3 * seconds:6.1f}"


def format_row(row):
    """One table line: the skreg fit, then its scikit-learn peer if any."""
    zeroed = "-" if row.zeroed is None else f"{row.zeroed}/{row.n_coef}"
    line = (f"{row.estimator:<34}{row.score:6.3f}{zeroed:>7}  {row.chosen:<22}"
            f"{_ms(row.fit_s)} | ")
    if row.sklearn is None:
        return line + "-"
    return (line + f"{row.sklearn}: {row.sklearn_score:.3f}, "
            f"{_ms(row.sklearn_fit_s).strip()}")


def format_table(results):
    """The whole table, one block per data set, as a list of lines."""
    lines = [_HEADER, "-" * len(_HEADER)]
    for result in results:
        lines.append(f"{result.name} ({result.description}; "
                     f"score = test {result.metric})")
        lines.extend("  " + format_row(row) for row in result.rows)
    lines.append("-" * len(_HEADER))
    lines.append("zeroed: coefficients (diabetes) or network inputs (breast "
                 "cancer) that are exactly 0.")
    lines.append("chosen: alpha (a) picked by cross-validation or by early "
                 "stopping (ES), or the epoch ES restored.")
    lines.append("fit ms: fastest of 3 fits (1 for the networks), the same "
                 "for both libraries.")
    return lines


def run_demo(seed=0, figures_dir=DEFAULT_FIGURES_DIR, figures=True, out=None):
    """Fit every estimator, print the table, write the figures.

    Parameters
    ----------
    seed : int, default=0
        Seeds the train/test splits, the noise columns and the networks.
    figures_dir : str or path-like, default="skreg-demo-figures"
        Folder the figures are written into (created if needed).
    figures : bool, default=True
        Write the figures; False skips them (and the matplotlib import).
    out : callable, default=None
        Receives each line of output; None prints it at once (flushed, so
        that progress shows even when the output is piped).

    Returns
    -------
    paths : list of pathlib.Path
        The figures written (empty when skipped).
    """
    start = time.perf_counter()
    if out is None:
        out = functools.partial(print, flush=True)

    def progress(i, n, name, result, seconds):
        if result is None:
            out(f"[{i}/{n}] {name}: fitting ...")
        else:
            out(f"[{i}/{n}] {name}: {len(result.rows)} skreg fits and their "
                f"scikit-learn peers done in {seconds:.1f} s")

    out("skreg demo: held-out scores of regularized models on scikit-learn's "
        f"datasets (25% test split, seed {seed})")
    results = fit_all(seed, progress)
    out("")
    for line in format_table(results):
        out(line)
    out("")
    paths = []
    if not figures:
        out("figures skipped (--no-figures)")
    else:
        try:
            import matplotlib  # noqa: F401 - only asks whether it is installed
        except ImportError:
            out(NO_MATPLOTLIB)
        else:
            from ._demo_figures import draw_all

            folder = Path(figures_dir)
            out(f"writing figures into {folder.resolve()}/ ...")
            paths = draw_all(results, folder)
            for path in paths:
                out(f"  {path.name}")
    out(f"done in {time.perf_counter() - start:.1f} s")
    return paths
