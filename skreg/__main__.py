"""Command line: ``python -m skreg demo`` runs the showcase."""

import argparse
import sys

from ._demo import DEFAULT_FIGURES_DIR, run_demo


def build_parser():
    """The ``python -m skreg`` argument parser (one sub-command: demo)."""
    parser = argparse.ArgumentParser(
        prog="python -m skreg",
        description="skreg: regularized estimators for scikit-learn.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="fit every skreg estimator on data shipped with scikit-learn",
        description=(
            "Fit every skreg estimator (lasso, elastic net and ridge with "
            "alpha chosen by cross-validation or early stopping, and the "
            "regularized network) on scikit-learn's diabetes, breast cancer and "
            "digits data, next to scikit-learn's own estimators. Prints one table "
            "(held-out score, coefficients zeroed, the alpha chosen, fit time) "
            "and writes figures of the lasso path, the coefficients of each "
            "penalty, the inputs an L1-penalised network switches off and the "
            "network's training curves. The figures need "
            "matplotlib (pip install \"skreg[plot]\"); without it the table is "
            "still printed. Takes a few seconds."
        ),
    )
    demo.add_argument("--seed", type=int, default=0,
                      help="seed of the splits, noise columns and networks "
                      "(default: 0)")
    demo.add_argument("--figures-dir", default=DEFAULT_FIGURES_DIR, metavar="DIR",
                      help="folder the figures are written into, created if "
                      f"needed (default: ./{DEFAULT_FIGURES_DIR})")
    demo.add_argument("--no-figures", action="store_true",
                      help="print the table only, write no figures")
    return parser


def main(argv=None):
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        run_demo(seed=args.seed, figures_dir=args.figures_dir,
                 figures=not args.no_figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
