"""``python -m skreg demo``: the table, the progress lines and the figures.

The demo is fitted once for the module; the variants that differ only in
what happens after the fits (no figures, no matplotlib) reuse those fits.
"""

import contextlib
import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from skreg import _demo, _demo_fits
from skreg.__main__ import main

ESTIMATORS = ["LassoRegressorCV", "ElasticNetCV", "RidgeRegressor",
              "LassoRegressor", "RegularizedMLP"]


def run(argv):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(argv)
    return status, buffer.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One real run with figures; returns its output, folder and fit results."""
    pytest.importorskip("matplotlib", reason="the figures need matplotlib")
    folder = tmp_path_factory.mktemp("run") / "figs"
    results = []
    real_fit_all = _demo.fit_all

    def recording_fit_all(seed, progress):
        results.extend(real_fit_all(seed, progress))
        return results

    _demo.fit_all = recording_fit_all
    try:
        status, output = run(["demo", "--figures-dir", str(folder)])
    finally:
        _demo.fit_all = real_fit_all
    assert status == 0
    return output, folder, results


def table_rows(output):
    """The estimator lines of the table: name, score, zeroed (k, p) or None."""
    rows = {}
    pattern = re.compile(r"^  (\S.*?)\s+(-?\d+\.\d{3})\s+(?:(\d+)/(\d+)|-)\s")
    for line in output.splitlines():
        match = pattern.match(line)
        if match:
            name, score, k, p = match.groups()
            rows[name] = (float(score), None if k is None else (int(k), int(p)))
    return rows


def test_progress_line_for_each_dataset(demo):
    output, _, _ = demo
    n = len(_demo_fits.DATASETS)
    for i, (name, _) in enumerate(_demo_fits.DATASETS, start=1):
        assert f"[{i}/{n}] {name}: fitting" in output
        assert re.search(rf"\[{i}/{n}\] {name}: .* done in [\d.]+ s", output)


def test_table_has_every_estimator_with_sane_numbers(demo):
    output, _, results = demo
    rows = table_rows(output)
    assert len(rows) == sum(len(r.rows) for r in results)
    for estimator in ESTIMATORS:
        assert any(estimator in name for name in rows), estimator
    for name, (score, zeroed) in rows.items():
        assert -1.0 <= score <= 1.0, name
        if zeroed is not None:
            assert 0 <= zeroed[0] <= zeroed[1], name
    # The point of the diabetes block: L1 zeroes coefficients, L2 never does.
    assert rows["RidgeRegressorCV"][1][0] == 0
    assert rows["LassoRegressorCV"][1][0] > 0


def test_table_numbers_are_the_fits(demo):
    output, _, results = demo
    rows = table_rows(output)
    for result in results:
        for row in result.rows:
            assert rows[row.estimator][0] == pytest.approx(row.score, abs=5e-4)
    lasso = next(r for r in results if r.name == "diabetes").artifacts["lasso_cv"]
    # "chosen alpha" is the CV estimator's own alpha_, not a fixed value.
    assert f"a={lasso.alpha_:.3g} (CV)" in output
    assert rows["LassoRegressorCV"][1][0] == int(np.sum(lasso.coef_ == 0))


def test_figures_written_where_the_output_says(demo):
    output, folder, _ = demo
    assert str(folder.resolve()) in output
    written = sorted(folder.iterdir())
    assert len(written) >= 3
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"  {path.name}" in output


def replay(monkeypatch, demo, argv):
    """Run the CLI again on the module's fits (only the figure step differs)."""
    _, _, results = demo
    monkeypatch.setattr(_demo, "fit_all", lambda seed, progress: results)
    return run(argv)


def test_no_figures_option(monkeypatch, demo, tmp_path):
    folder = tmp_path / "figs"
    status, output = replay(monkeypatch, demo,
                            ["demo", "--no-figures", "--figures-dir", str(folder)])
    assert status == 0
    assert not folder.exists()
    assert "figures skipped" in output
    assert "LassoRegressorCV" in output


def test_without_matplotlib_prints_table_and_how_to_get_figures(
        monkeypatch, demo, tmp_path):
    # None in sys.modules makes an import raise ImportError; submodules already
    # loaded by the module's real run would be found directly, so block them too.
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.delitem(sys.modules, "skreg._demo_figures", raising=False)
    folder = tmp_path / "figs"
    status, output = replay(monkeypatch, demo, ["demo", "--figures-dir", str(folder)])
    assert status == 0
    assert not folder.exists()
    assert "matplotlib is not installed" in output
    assert "pip install" in output
    assert table_rows(output)


def test_help_explains_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for needle in ["--no-figures", "--figures-dir", "--seed", "matplotlib",
                   _demo.DEFAULT_FIGURES_DIR]:
        assert needle in text


def test_readme_shows_the_current_table(demo):
    # The README pastes a run of the demo; its rows must be today's rows.
    output, _, _ = demo
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(.*?)```", readme, flags=re.DOTALL).group(1)
    assert list(table_rows(block)) == list(table_rows(output))
