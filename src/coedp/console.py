"""Terminal output shared by the commands.

Results go to stdout, everything else (progress, warnings, errors) to stderr.
Colours and progress appear only when the stream is a terminal; ``NO_COLOR``
(any non-empty value, see no-color.org) turns colours off everywhere, and
``FORCE_COLOR`` turns them on for a pipe.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

SEVERITY_STYLES = {"Violation": "bold red", "Warning": "yellow", "Info": "cyan"}


def _colour_wanted(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def make_console(stream: TextIO) -> Console:
    """Return a rich console on ``stream`` that colours only a terminal."""
    colour = _colour_wanted(stream)
    return Console(
        file=stream,
        no_color=not colour,
        color_system="auto" if colour else None,
        force_terminal=colour,
        highlight=False,
        soft_wrap=not stream.isatty() if hasattr(stream, "isatty") else True,
        emoji=False,
    )


def out() -> Console:
    """A console on the current stdout (looked up at call time, for tests)."""
    return make_console(sys.stdout)


def err() -> Console:
    """A console on the current stderr."""
    return make_console(sys.stderr)


def is_tty(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (stderr by default) is an interactive terminal."""
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def error(message: str) -> None:
    """Print ``coedp: error: message`` on stderr, red on a terminal."""
    err().print(f"[bold red]coedp: error:[/] {escape(message)}")


def warn(message: str) -> None:
    """Print ``coedp: warning: message`` on stderr."""
    err().print(f"[yellow]coedp: warning:[/] {escape(message)}")


def escape(text: str) -> str:
    """Escape rich markup in text that comes from data or users."""
    from rich.markup import escape as _escape

    return _escape(text)


def severity_text(severity: str) -> str:
    """The severity name wrapped in its colour markup."""
    style = SEVERITY_STYLES.get(severity, "")
    return f"[{style}]{severity}[/]" if style else severity


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    numeric: Sequence[str] = (),
) -> Table:
    """Build a rich table; columns named in ``numeric`` are right-aligned."""
    t = Table(title=title, title_justify="left", header_style="bold")
    for name in columns:
        t.add_column(name, justify="right" if name in numeric else "left", overflow="fold")
    for row in rows:
        t.add_row(*(escape(str(cell)) if cell is not None else "" for cell in row))
    return t


@contextmanager
def status(message: str) -> Iterator[None]:
    """Show a spinner with ``message`` on stderr while the block runs (terminal only)."""
    if not is_tty():
        yield
        return
    with err().status(escape(message)):
        yield


def guarded(fn: Callable[[Any], int]) -> Callable[[Any], int]:
    """Wrap a command so an unexpected failure is a one-line message, not a traceback.

    ``COEDP_DEBUG=1`` lets the exception through, for whoever fixes the bug.
    """

    @functools.wraps(fn)
    def wrapper(args: Any) -> int:
        try:
            return fn(args)
        except BrokenPipeError:
            # Output piped into `head` and the like: not an error.
            sys.stderr.close()
            return 0
        except Exception as exc:
            if os.environ.get("COEDP_DEBUG"):
                raise
            error(f"unexpected failure ({type(exc).__name__}: {exc}); "
                  "run again with COEDP_DEBUG=1 to see where")
            return 3

    return wrapper
