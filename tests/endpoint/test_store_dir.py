"""``--store-dir``: a store kept across restarts, reused while the data is unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from support.servers import SMALL, Server, serve_command

from coedp.server.store import load_dataset

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
NEW = "ASK { <https://coedp.org/id/org-new> ?p ?o }"


def count(srv: Server) -> int:
    """Triples of the default graph (the union), as the endpoint answers."""
    r = httpx.get(srv.sparql, params={"query": COUNT}, timeout=30)
    assert r.status_code == 200
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def run_once(data: Path, store: Path) -> tuple[str, int, str]:
    """Start, ask the count, stop: the server's output, the count, and the dataset version."""
    srv = Server(data, "--workers", "1", "--store-dir", str(store))
    try:
        n = count(srv)
        version = httpx.get(f"{srv.base}/healthz", timeout=10).json()["dataset"]["version"]
        return srv.output(), n, version
    finally:
        srv.stop()


def stores(folder: Path) -> list[str]:
    """The store folders kept in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("store-"))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the small dataset, to change between runs."""
    copy = tmp_path / "data" / "coedp.trig"
    copy.parent.mkdir()
    shutil.copy(SMALL, copy)
    return copy


def test_restart_reuses_the_store_without_loading(data, tmp_path):
    store = tmp_path / "store"
    out, first, version = run_once(data, store)
    assert f"into {store} (no store there yet)" in out
    manifest = (store / "manifest.json").read_bytes()
    kept = stores(store)
    assert len(kept) == 1

    out, again, same_version = run_once(data, store)
    assert f"reusing the store in {store}" in out and "loading" not in out
    assert again == first and same_version == version
    assert (store / "manifest.json").read_bytes() == manifest
    assert stores(store) == kept
    recorded = json.loads(manifest)
    assert recorded["source"]["path"] == str(data.resolve())
    assert recorded["statistics"]["triples"] == first


def test_touched_source_is_hashed_and_reused(data, tmp_path):
    store = tmp_path / "store"
    run_once(data, store)
    kept = stores(store)
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    out, _n, _version = run_once(data, store)
    assert "reusing the store" in out and stores(store) == kept
    # The new modification time is recorded: the next start need not hash again.
    recorded = json.loads((store / "manifest.json").read_text())
    assert recorded["source"]["mtime_ns"] == data.stat().st_mtime_ns


def test_changed_source_is_reloaded_into_a_new_store(data, tmp_path):
    store = tmp_path / "store"
    _out, first, version = run_once(data, store)
    old = stores(store)
    with data.open("a", encoding="utf-8") as fh:
        fh.write("<https://coedp.org/graph/asserted> { <https://coedp.org/id/org-new> "
                 "a <https://coedp.org/def/Company> . }\n")
    out, second, new_version = run_once(data, store)
    assert "(the source changed)" in out and "reusing" not in out
    assert second == first + 1 and new_version != version
    assert len(stores(store)) == 1 and stores(store) != old  # the old store is gone


def test_corrupt_manifest_and_leftovers_lead_to_a_reload(data, tmp_path):
    store = tmp_path / "store"
    _out, first, _version = run_once(data, store)
    (store / "manifest.json").write_text('{"format": 1, "store": ', encoding="utf-8")
    (store / ".loading-crashed").mkdir()  # as a load killed half-way leaves it
    (store / ".loading-crashed" / "000001.sst").write_bytes(b"partial")
    out, again, _version = run_once(data, store)
    assert "manifest.json is unreadable" in out and "Traceback" not in out
    assert again == first
    assert not (store / ".loading-crashed").exists() and len(stores(store)) == 1
    json.loads((store / "manifest.json").read_text())  # whole again


def test_foreign_folder_is_refused_and_left_alone(data, tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8 not really")
    done = subprocess.run(
        [*serve_command(), "--data", str(data), "--store-dir", str(foreign), "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "not a coedp store" in done.stderr and str(foreign) in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert [p.name for p in foreign.iterdir()] == ["holiday.jpg"]
    assert (foreign / "holiday.jpg").read_bytes() == b"\xff\xd8 not really"


def test_store_in_use_by_another_server_is_refused(data, tmp_path):
    store = tmp_path / "store"
    srv = Server(data, "--workers", "1", env={"COEDP_STORE_DIR": str(store)})
    try:
        done = subprocess.run(
            [*serve_command(), "--data", str(data), "--store-dir", str(store), "--port", "0"],
            capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 1
        assert "in use by another coedp serve" in done.stderr
        assert f"process {srv.proc.pid}" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert count(srv) > 0  # the first one is unaffected
    finally:
        srv.stop()


def test_help_teaches_the_store_folder():
    done = subprocess.run([*serve_command(), "--help"], capture_output=True, text=True,
                          timeout=60)
    assert "--store-dir" in done.stdout and "COEDP_STORE_DIR" in done.stdout
    text = " ".join(done.stdout.split())
    assert "reusing the store in DIR" in text and "loading FILE into DIR" in text


@pytest.mark.parametrize("extra_graphs", [1, 40], ids=["lookup", "distinct"])
def test_union_counts_a_triple_in_two_graphs_once(tmp_path, extra_graphs):
    # A small second graph is checked triple by triple, a large one by hashing all triples.
    lines = [f"<https://a/s{i}> <https://a/p> <https://a/o{i}> <https://a/g1> ."
             for i in range(100)]
    lines += [f"<https://a/s{i}> <https://a/p> <https://a/o{i}> <https://a/g2> ."
              for i in range(extra_graphs)]
    lines.append("<https://a/s0> <https://a/p> <https://a/o0> .")  # default graph too
    lines.append("<https://a/x> <https://a/p> <https://a/y> <https://a/g2> .")
    source = tmp_path / "dups.nq"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = load_dataset(source)
    try:
        assert dataset.total_quads == 100 + extra_graphs + 2
        assert dataset.total_triples == 101
        assert dataset.distinct_subjects == 101
    finally:
        dataset.cleanup()
