"""The ``coedp`` command: one sub-command per module of this package.

Each module exposes ``register(subparsers)``, which adds its parser and sets
``func`` to a callable taking the parsed arguments and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from coedp import __version__

COMMANDS = ("build", "validate", "query", "stats", "serve", "publish")

DESCRIPTION = """\
coedp: the Council of Europe Digital Partnership as a knowledge graph.

Typical session:
  coedp build              parse, validate, reason and write dist/
  coedp validate           check graph/ against shapes/ (for curators and CI)
  coedp query queries/partners-june-2022.rq
  coedp stats              counts by class, named graph and label language
  coedp serve              SPARQL endpoint and linked-data pages on :8000
  coedp publish --to URL   upload the dataset to another store's Graph Store

Run 'coedp COMMAND --help' for the options of each command.
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="coedp",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"coedp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"coedp.cli.{name}_cmd")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
