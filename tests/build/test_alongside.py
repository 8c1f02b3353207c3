"""A build step run alongside another: same result, same errors, stoppable."""

from __future__ import annotations

import os
import threading
import time

import pytest

from coedp.build import alongside
from coedp.build.alongside import Alongside, StepFailed

needs_fork = pytest.mark.skipif(not alongside._can_fork(), reason="needs fork and two cores")


class Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("cannot travel")
        self.lock = threading.Lock()


@needs_fork
def test_the_step_runs_in_another_process_and_returns_its_result() -> None:
    step = Alongside(lambda: (os.getpid(), sorted({3, 1, 2})))
    pid, value = step.result()
    assert pid != os.getpid()
    assert value == [1, 2, 3]
    assert step.seconds >= 0


@needs_fork
def test_an_exception_in_the_step_is_raised_in_the_parent_with_its_type() -> None:
    def fail() -> None:
        raise ValueError("unknown reasoner 'x'")

    with pytest.raises(ValueError, match="unknown reasoner 'x'"):
        Alongside(fail).result()


@needs_fork
def test_an_exception_that_cannot_be_sent_back_is_still_reported() -> None:
    def fail() -> None:
        raise Unpicklable()

    with pytest.raises(StepFailed, match="Unpicklable: cannot travel"):
        Alongside(fail).result()


@needs_fork
def test_a_step_that_dies_is_reported_not_awaited_forever() -> None:
    with pytest.raises(StepFailed, match="exit code 3"):
        Alongside(lambda: os._exit(3)).result()


@needs_fork
def test_cancel_stops_the_child() -> None:
    step = Alongside(lambda: time.sleep(60))
    process = step._process
    assert process is not None and process.is_alive()
    step.cancel()
    assert not process.is_alive()


def test_without_fork_the_step_runs_in_the_parent_when_asked(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(alongside, "_can_fork", lambda: False)
    calls: list[int] = []
    step = Alongside(lambda: calls.append(os.getpid()) or "done")
    assert calls == []  # nothing runs until the result is wanted
    assert step.result() == "done"
    assert calls == [os.getpid()]


@needs_fork
def test_a_build_stopped_by_a_violation_leaves_no_reasoning_process(
    tmp_path, monkeypatch  # noqa: ANN001
) -> None:
    import multiprocessing
    import shutil
    from pathlib import Path

    from coedp.build import pipeline
    from coedp.build.pipeline import BuildError, build

    # A reasoning that would outlive the validation by far.
    monkeypatch.setattr(pipeline, "infer", lambda *args: time.sleep(120) or [])

    tree = tmp_path / "project"
    shutil.copytree(Path(__file__).parent / "fixtures", tree)
    (tree / "graph" / "partners" / "unnamed.ttl").write_text(
        "@prefix coedp: <https://coedp.org/def/> .\n"
        "<https://coedp.org/id/org/nameless> a coedp:Company .\n", encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build(tree, tmp_path / "dist")
    assert failure.value.exit_code == 1
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "dist").exists()
