"""Command line: ``python -m skreg demo`` runs the showcase."""

import argparse
import sys

from ._demo import run_demo


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skreg",
        description="skreg: regularized estimators for scikit-learn.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="fit every skreg estimator on data shipped with scikit-learn and print "
        "a table (test score, zeroed coefficients, fit time)",
    )
    demo.add_argument("--seed", type=int, default=0, help="train/test split seed")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
