"""GridSearchCV over a Dask cluster.

scikit-learn runs the fits of a grid search through joblib; inside
``joblib.parallel_config(backend="dask")`` they are sent to a Dask cluster
instead of local processes, with no change to the estimator or the search.
skreg's estimators are plain picklable objects whose compiled solvers are
imported by each worker, so they run there as they do locally.

This example starts a ``LocalCluster`` (two worker processes on this machine,
on 127.0.0.1, no dashboard) as a stand-in for a real cluster: with a remote
scheduler, pass its address to ``Client("tcp://...")`` instead. It checks the
cluster's search finds the same scores as a local one, and draws the
cross-validated R² over the grid with the tasks each worker ran.

Run: ``python examples/plot_dask_grid_search.py`` (writes a PNG and prints its
path; ``SKREG_EXAMPLES_OUTDIR`` chooses the folder). Needs ``dask`` and
``distributed`` (``pip install "skreg[dask]"``).
"""

import os
import time
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster, get_task_stream
from joblib import parallel_config
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNet

QUICK = os.environ.get("SKREG_EXAMPLES_QUICK") == "1"
OUT = Path(os.environ.get("SKREG_EXAMPLES_OUTDIR", ".")) / "plot_dask_grid_search.png"


def make_search():
    alphas = np.logspace(-2, 1.5, 5 if QUICK else 15)
    l1_ratios = [0.1, 0.5, 1.0] if QUICK else [0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
    return GridSearchCV(
        make_pipeline(StandardScaler(), ElasticNet()),
        {"elasticnet__alpha": alphas, "elasticnet__l1_ratio": l1_ratios},
        cv=KFold(5, shuffle=True, random_state=0), n_jobs=-1,
    ), alphas, l1_ratios


def main():
    data = load_diabetes()
    rng = np.random.RandomState(0)
    X = np.hstack([data.data, rng.randn(data.data.shape[0], 30)])
    y = data.target

    # Worker processes, not threads, so the example behaves as a real cluster
    # would: every task's data and estimator travel to another interpreter.
    # The quick run (the test suite) uses threads: starting worker processes
    # is most of its cost, and tests/test_dask.py covers worker processes.
    cluster = LocalCluster(n_workers=2, threads_per_worker=1,
                           processes=not QUICK, protocol="tcp",
                           host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    try:
        print(f"cluster up: {len(client.scheduler_info()['workers'])} workers "
              f"at {client.scheduler.address}")
        search, alphas, l1_ratios = make_search()
        start = time.perf_counter()
        with get_task_stream(client) as stream, parallel_config(backend="dask"):
            search.fit(X, y)
        remote_s = time.perf_counter() - start
        tasks = Counter(task["worker"] for task in stream.data)
    finally:
        client.close()
        cluster.close()

    local, _, _ = make_search()
    local.set_params(n_jobs=1).fit(X, y)
    same = np.array_equal(local.cv_results_["mean_test_score"],
                          search.cv_results_["mean_test_score"])
    print(f"{len(search.cv_results_['params'])} candidates x {search.n_splits_} "
          f"folds on the cluster in {remote_s:.1f} s; same scores as the local "
          f"run: {same}; best {search.best_params_}")

    scores = search.cv_results_["mean_test_score"].reshape(len(alphas),
                                                           len(l1_ratios))
    fig, (ax, ax_tasks) = plt.subplots(1, 2, figsize=(12, 4.6),
                                       width_ratios=[1.6, 1], layout="constrained")
    image = ax.imshow(scores.T, origin="lower", aspect="auto", cmap="viridis")
    fig.colorbar(image, ax=ax, label="R² (5-fold cross-validation)")
    ax.set_xticks(range(len(alphas)), [f"{a:.2g}" for a in alphas], rotation=45)
    ax.set_yticks(range(len(l1_ratios)), [f"{r:g}" for r in l1_ratios])
    best = np.unravel_index(np.argmax(scores), scores.shape)
    ax.plot(best[0], best[1], "*", color="tab:red", ms=16,
            label=f"best: alpha={alphas[best[0]]:.3g}, "
            f"l1_ratio={l1_ratios[best[1]]:g}")
    ax.set_xlabel("alpha")
    ax.set_ylabel("l1_ratio")
    ax.set_title("ElasticNet grid searched on the Dask cluster")
    ax.legend(fontsize=8, loc="lower left")

    workers = sorted(tasks)
    ax_tasks.bar(range(len(workers)), [tasks[w] for w in workers],
                 color="tab:blue")
    ax_tasks.set_xticks(range(len(workers)), [w.split("//")[-1] for w in workers],
                        fontsize=8)
    # joblib groups several fits into one task, so tasks < candidates x folds.
    ax_tasks.set_ylabel("joblib tasks run (batches of fits)")
    ax_tasks.set_xlabel("worker")
    ax_tasks.set_title(f"work spread over the workers ({remote_s:.1f} s)\n"
                       f"scores identical to a local run: {same}", fontsize=10)
    fig.savefig(OUT, dpi=100)
    print(f"saved figure to {OUT.resolve()}")


if __name__ == "__main__":
    # Dask starts its worker processes by re-importing this file; the guard
    # keeps them from starting clusters of their own.
    main()
