"""Which tests share a pytest-xdist worker (``-n``, ``--dist loadgroup``): a test's *scope*.

Tests of one scope run on one worker, so that what they share (a module's server, the
session's validation of the whole graph) is made once; a test with a scope of its own
goes to whichever worker is free. The scope is read from the test's id alone, in the
controller, by the scheduler :func:`scheduler` makes: pytest-xdist's own ``xdist_group``
marks no longer reach its scheduler under pytest 9 (which ignores the id suffix xdist
writes), so the groups are computed here instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest
    from xdist.remote import Producer
    from xdist.scheduler import LoadScopeScheduling

# Folders whose modules start servers (or a browser): each module is one scope, so that a
# module-scoped server starts on one worker only.
BY_MODULE = ("endpoint", "hardening", "bench", "web")
# Folders that are one scope whole: the shape tests share the session's validation of the
# whole graph (``real_findings``).
WHOLE = ("shapes",)
# Modules whose fixtures do costly work for many tests (a validation or an OWL closure of
# the whole graph shared by their cases): one scope each, so that it is done once.
MODULES = ("semantics/test_ill_formed_literals.py", "semantics/test_consistency.py")


def scope_of(nodeid: str) -> str:
    """The scope of the test ``nodeid`` (``tests/FOLDER/test_x.py::test_y[case]``): its
    folder, its module, or the test itself when it shares nothing costly."""
    path = nodeid.split("::", 1)[0]
    parts = path.split("/")
    if parts and parts[0] == "tests":
        parts = parts[1:]
    module = "/".join(parts)
    folder = parts[0] if len(parts) > 1 else ""
    if folder in WHOLE:
        return folder
    if folder in BY_MODULE or module in MODULES:
        return module
    return nodeid


def scheduler(config: pytest.Config, log: Producer) -> LoadScopeScheduling:
    """pytest-xdist's scope scheduler with the scopes of :func:`scope_of` (the largest
    scopes are handed out first, so that the workers finish together)."""
    from xdist.scheduler import LoadScopeScheduling

    class ScopeScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return ScopeScheduling(config, log)
