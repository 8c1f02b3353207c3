"""A throw-away Virtuoso Open Source 7 on 127.0.0.1, with its own ini and data folder.

Debian's ``virtuoso-opensource`` package provides ``virtuoso-t`` and ``isql-vt``.
The server gets free ports for SQL and HTTP; its ``dba`` password is changed
with isql at start; the Graph Store endpoint with digest authentication is
Virtuoso's built-in ``/sparql-graph-crud-auth``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
from support.servers import free_port

PASSWORD = "coedp-test-secret"
START_TIMEOUT = 120.0

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 200M
ThreadsPerQuery = 2
DirsAllowed = .

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
; no silent truncation below the dataset's size (Virtuoso's default is 10000 rows)
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


def available() -> bool:
    """Whether Debian's Virtuoso binaries are installed."""
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt"))


class Virtuoso:
    """A running Virtuoso; ``stop()`` ends it whatever state it is in."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sql_port = free_port()
        self.http_port = free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.sparql = f"{self.base}/sparql"
        self.graph_store = f"{self.base}/sparql-graph-crud-auth"
        self.password = PASSWORD
        folder.mkdir(parents=True, exist_ok=True)
        ini = folder / "virtuoso.ini"
        ini.write_text(INI.format(dir=folder, sql=self.sql_port, http=self.http_port))
        self._out = (folder / "console.log").open("wb")
        self.proc = subprocess.Popen(
            ["virtuoso-t", "+foreground", "+configfile", str(ini)],
            cwd=folder, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            self._wait_ready()
            self._set_password()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited {self.proc.returncode}:\n{self.log()}")
            try:
                r = httpx.get(self.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=2)
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"virtuoso-t did not answer in {START_TIMEOUT:g} s:\n{self.log()}")

    def _set_password(self) -> None:
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba",
             f"exec=USER_SET_PASSWORD('dba', '{self.password}');"],
            capture_output=True, text=True, timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"isql-vt failed:\n{done.stdout}\n{done.stderr}")

    def log(self) -> str:
        """Virtuoso's own log so far."""
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def select(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT on Virtuoso directly; rows of variable -> value."""
        r = httpx.post(self.sparql, data={"query": query},
                       headers={"accept": "application/sparql-results+json"}, timeout=60)
        r.raise_for_status()
        return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._out.close()

