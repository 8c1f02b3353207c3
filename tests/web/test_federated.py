"""The README's federated query runs: Comunica joins coedp's endpoint with a second source.

CI reaches no server but 127.0.0.1, so a local Turtle document stands in for
Wikidata: labels for two items coedp links to (France, Microsoft) and one it
does not. The query is read from the README, so the example there stays true.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import ROOT, Site

CLIENTS = ROOT / "tests" / "clients"
README = ROOT / "README.md"
# Labels made for this test only: they are not Wikidata's.
STAND_IN = b"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix wd:   <http://www.wikidata.org/entity/> .
wd:Q142  rdfs:label "stand-in label of Q142"@de , "stand-in label of Q142"@fr .
wd:Q2283 rdfs:label "stand-in label of Q2283"@de .
wd:Q1    rdfs:label "stand-in label of an item coedp does not link"@de .
"""


def readme_query() -> str:
    """The SPARQL block of the README's section on links to Wikidata."""
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", text, re.S)
    found = [b for b in blocks if "schema:sameAs ?item" in b]
    assert len(found) == 1, "the README should show one federated query over schema:sameAs"
    return found[0]


@pytest.fixture(scope="module")
def comunica() -> Path:
    """The comunica-sparql command of tests/clients (npm ci from its lock file if needed)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed: the Comunica test needs Node.js")
    command = CLIENTS / "node_modules" / ".bin" / "comunica-sparql"
    if not command.exists():
        assert npm is not None, "node is installed but npm is not"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS, check=True,
                       capture_output=True, timeout=600)
    assert command.exists(), "@comunica/query-sparql did not install comunica-sparql"
    return command


class _StandIn(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(STAND_IN)))
        self.end_headers()
        self.wfile.write(STAND_IN)

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def stand_in() -> Iterator[str]:
    """A Turtle document on 127.0.0.1 in Wikidata's place."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/items.ttl"
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_readme_federated_query_joins_coedp_and_a_second_source(
    site: Site, comunica: Path, stand_in: str
) -> None:
    done = subprocess.run(
        [str(comunica), f"sparql@{site.url}/sparql", stand_in, readme_query()],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(done.stdout)
    found = {(row["entity"], row["item"], row["nameInWikidata"]) for row in rows}
    assert found == {
        ("https://coedp.org/id/country/fr", "http://www.wikidata.org/entity/Q142",
         '"stand-in label of Q142"@de'),
        ("https://coedp.org/id/org/microsoft", "http://www.wikidata.org/entity/Q2283",
         '"stand-in label of Q2283"@de'),
    }
    # The value only: this Comunica release prints language-tagged literals it
    # read as SPARQL JSON without their tag (the endpoint sends "xml:lang").
    names = {row["entity"]: row["name"] for row in rows}
    assert names["https://coedp.org/id/org/microsoft"].startswith('"Microsoft"')
