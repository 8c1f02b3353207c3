"""``python -m coedp.server [options]``: the same as ``coedp serve [options]``."""

from __future__ import annotations

import argparse
import sys

from coedp.cli.serve_cmd import EPILOG, add_arguments, run


def main(argv: list[str] | None = None) -> int:
    """Parse the serve options and run the endpoint."""
    parser = argparse.ArgumentParser(
        prog="python -m coedp.server", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
