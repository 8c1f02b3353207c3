"""Starting the endpoint: what it accepts as --data, and refusing what it cannot serve."""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest
from support.servers import SMALL, Server, serve_command


def run_serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [*serve_command(), *args, "--port", "0"], capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("content", "suffix", "needle"),
    [
        ("<https://a> <https://b> .\n", ".nq", "line 1"),
        ("@prefix : <https://a/> .\n:x :y :z ;;; ] .\n", ".trig", "line 2"),
        ("", ".ttl", "no triples"),
    ],
)
def test_corrupt_dataset_is_refused_clearly(tmp_path, content, suffix, needle):
    bad = tmp_path / f"bad{suffix}"
    bad.write_text(content, encoding="utf-8")
    done = run_serve("--data", str(bad))
    assert done.returncode != 0
    assert str(bad) in done.stderr and needle in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "listening" not in done.stdout


def test_missing_dataset_and_empty_folder(tmp_path):
    done = run_serve("--data", str(tmp_path / "nope.trig"))
    assert done.returncode != 0 and "does not exist" in done.stderr
    done = run_serve("--data", str(tmp_path))
    assert done.returncode != 0 and "coedp.nq" in done.stderr and "coedp build" in done.stderr
    done = run_serve("--data", str(SMALL), "--timeout", "-1")
    assert done.returncode != 0 and "--timeout" in done.stderr


def test_folder_and_default_dist_are_served(tmp_path):
    shutil.copy(SMALL, tmp_path / "coedp.trig")
    srv = Server(None, "--workers", "1", env={"COEDP_DIST": str(tmp_path)})
    try:
        r = httpx.get(srv.sparql, params={"query": "ASK { ?s a <https://coedp.org/def/Company> }"})
        assert r.json()["boolean"] is True
        assert "coedp.trig" in srv.output()
    finally:
        srv.stop()


def test_turtle_file_and_environment_settings(tmp_path):
    ttl = tmp_path / "one.ttl"
    ttl.write_text("<https://a/x> <https://a/p> 1, 2, 3 .\n", encoding="utf-8")
    srv = Server(ttl, "--workers", "1", env={"COEDP_MAX_ROWS": "2"})
    try:
        r = httpx.get(srv.sparql, params={"query": "SELECT ?o { ?s ?p ?o }"})
        assert r.status_code == 422 and "more than 2 rows" in r.text
        r = httpx.get(srv.sparql, params={"query": "SELECT ?o { ?s ?p ?o } LIMIT 2"})
        assert r.status_code == 200
    finally:
        srv.stop()


def test_help_documents_settings_and_their_variables():
    done = subprocess.run([*serve_command(), "--help"], capture_output=True, text=True,
                          timeout=60)
    for text in ("--timeout", "COEDP_TIMEOUT", "--max-rows", "COEDP_MAX_ROWS", "422",
                 "--max-query-length", "--cors-origins", "COEDP_CORS_ORIGINS", "--data"):
        assert text in done.stdout
