"""Settings of the SPARQL endpoint: defaults safe for a public service.

Every setting can come from a command-line flag or from a ``COEDP_*``
environment variable; a flag wins over the environment, which wins over the
default.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coedp.namespaces import BASE

# Two query workers per core: a worker holding a slow query leaves another to
# answer the cheap ones (measured in bench/: 0.65 -> 0.88 of the bare engine's
# throughput on the mix at 100k, 2 cores).
DEFAULT_WORKERS = max(2, min(8, 2 * (os.cpu_count() or 1)))

def flag(text: str) -> bool:
    """A yes/no setting from the environment: 1, true, yes, on (any case) mean yes."""
    return text.strip().lower() in ("1", "true", "yes", "on")


# (attribute, environment variable, type, default, help) for each setting.
SPECS: tuple[tuple[str, str, Callable[[str], object], object, str], ...] = (
    ("host", "COEDP_HOST", str, "127.0.0.1", "interface to listen on"),
    ("port", "COEDP_PORT", int, 8000, "TCP port to listen on"),
    ("timeout", "COEDP_TIMEOUT", float, 30.0,
     "seconds a query may run before it is stopped and answered 503"),
    ("max_rows", "COEDP_MAX_ROWS", int, 100_000,
     "largest result served (rows of a SELECT, triples of a CONSTRUCT/DESCRIBE); "
     "a larger result is refused with 422 and a message asking for LIMIT/OFFSET"),
    ("max_query_length", "COEDP_MAX_QUERY_LENGTH", int, 100 * 1024,
     "longest query accepted, in bytes of UTF-8 (413 beyond)"),
    ("max_depth", "COEDP_MAX_DEPTH", int, 40,
     "deepest nesting of { ( [ accepted in a query (400 beyond)"),
    ("cors_origins", "COEDP_CORS_ORIGINS", str, "*",
     "comma-separated origins allowed by CORS ('*' for any, '' for none)"),
    ("workers", "COEDP_WORKERS", int, DEFAULT_WORKERS,
     "query worker processes (default: two per core, from 2 to 8)"),
    ("memory_quads", "COEDP_MEMORY_QUADS", int, 500_000,
     "a dataset of at most this many quads is copied into each worker's memory, where "
     "queries run several times faster than on the on-disk store (0: always on disk)"),
    ("cache_entries", "COEDP_CACHE_ENTRIES", int, 256,
     "query results kept in memory for repeats (0: no cache)"),
    ("cache_mb", "COEDP_CACHE_MB", int, 32, "most megabytes of results kept in memory"),
    ("base_iri", "COEDP_BASE_IRI", str, BASE, "base IRI of the dataset"),
    ("gzip_min_size", "COEDP_GZIP_MIN_SIZE", int, 1024,
     "responses at least this many bytes are gzip-compressed when the client accepts it"),
    ("store_dir", "COEDP_STORE_DIR", str, "",
     "keep the on-disk store in DIR across restarts: reused at once while --data is "
     "unchanged, reloaded into DIR when it changes; DIR must be new, empty or made by "
     "coedp (see below) ('': a temporary store, loaded at every start)"),
    ("public_url", "COEDP_PUBLIC_URL", str, "",
     "the address clients reach this server at, behind a reverse proxy for instance "
     "(https://query.example.org/); named as the endpoint in the service description "
     "('': http://HOST:PORT/ from --host and --port; the Host header is never trusted)"),
    ("store", "COEDP_STORE", str, "",
     "SPARQL endpoint URL of an external store to answer from instead of the built dataset "
     "(its graphs under BASE/graph/, uploaded by 'coedp publish'); coedp's limits still apply"),
    # -- fairness, connections and the operator's view --
    ("trusted_proxies", "COEDP_TRUSTED_PROXIES", str, "",
     "comma-separated addresses or CIDR blocks of reverse proxies whose X-Forwarded-For "
     "names the client ('': none; the peer address is the client)"),
    ("client_queries", "COEDP_CLIENT_QUERIES", int, 0,
     "queries one client may run at once (0: half the workers, at least 1)"),
    ("client_queue", "COEDP_CLIENT_QUEUE", int, 32,
     "queries one client may have waiting for a worker; more are refused with 429"),
    ("max_queue", "COEDP_MAX_QUEUE", int, 256,
     "queries that may wait for a worker in all; more are refused with 429"),
    ("header_timeout", "COEDP_HEADER_TIMEOUT", float, 10.0,
     "seconds a client has to send a whole request (headers and body) once connected or "
     "answered; the connection is closed after that"),
    ("idle_timeout", "COEDP_IDLE_TIMEOUT", float, 5.0,
     "seconds an idle connection is kept open for its next request"),
    ("send_timeout", "COEDP_SEND_TIMEOUT", float, 30.0,
     "seconds a client may leave its response unread before the connection is dropped"),
    ("max_connections", "COEDP_MAX_CONNECTIONS", int, 1024,
     "open connections; past it the one idle longest is closed, or the new one gets 503"),
    ("log_client", "COEDP_LOG_CLIENT", str, "hash",
     "client addresses in the access log: hash (keyed, per process), truncate (/24, /48) "
     "or full"),
    ("metrics_clients", "COEDP_METRICS_CLIENTS", str, "127.0.0.0/8,::1",
     "addresses or CIDR blocks allowed to read /metrics ('*': anyone, '': no one)"),
    # -- query workers: memory, response size, query size, sandbox --
    ("worker_memory_mb", "COEDP_WORKER_MEMORY_MB", int, 0,
     "resident memory a query worker may use, in MB; a query that needs more is stopped "
     "and answered 507, its worker replaced (0: derived from the dataset, 384 MB plus 2 KB "
     "per quad held in memory: a worker at rest holds about 30 MB plus 0.8 KB per quad)"),
    ("max_response_mb", "COEDP_MAX_RESPONSE_MB", int, 64,
     "largest result served, in MB of the serialised response; a larger one is refused "
     "with 422 before any byte is sent (64 MB holds a result of max-rows ordinary rows "
     "with room to spare)"),
    ("max_query_tokens", "COEDP_MAX_QUERY_TOKENS", int, 4000,
     "most terms and operators in a query (400 beyond): the engine recurses per operator "
     "and plans in more than linear time per triple pattern"),
    ("unsandboxed", "COEDP_UNSANDBOXED", flag, False,
     "run query workers without the seccomp filter that closes their network access; "
     "needed only where the kernel offers no seccomp (serve refuses to start there otherwise)"),
)


@dataclass
class Settings:
    """Everything ``coedp serve`` can be told."""

    data: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 30.0
    max_rows: int = 100_000
    max_query_length: int = 100 * 1024
    max_depth: int = 40
    cors_origins: str = "*"
    workers: int = DEFAULT_WORKERS
    memory_quads: int = 500_000
    cache_entries: int = 256
    cache_mb: int = 32
    base_iri: str = BASE
    gzip_min_size: int = 1024
    store_dir: str = ""
    public_url: str = ""
    store: str = ""
    # -- fairness, connections and the operator's view --
    trusted_proxies: str = ""
    client_queries: int = 0
    client_queue: int = 32
    max_queue: int = 256
    header_timeout: float = 10.0
    idle_timeout: float = 5.0
    send_timeout: float = 30.0
    max_connections: int = 1024
    log_client: str = "hash"
    metrics_clients: str = "127.0.0.0/8,::1"
    worker_memory_mb: int = 0
    max_response_mb: int = 64
    max_query_tokens: int = 4000
    unsandboxed: bool = False

    @property
    def cors_list(self) -> list[str]:
        """The CORS origins as a list."""
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def public_root(self) -> str:
        """The server's public address, ending in a slash."""
        root = self.public_url or f"http://{self.host}:{self.port}/"
        return root if root.endswith("/") else root + "/"

    @property
    def public_endpoint(self) -> str:
        """The public address of the SPARQL endpoint."""
        return self.public_root + "sparql"

    @property
    def store_folder(self) -> Path | None:
        """``--store-dir`` as a path (None: a temporary store, removed at exit)."""
        return Path(self.store_dir).expanduser() if self.store_dir else None

    def validate(self) -> None:
        """Raise ``ValueError`` with a readable message for a nonsensical value."""
        if self.timeout <= 0:
            raise ValueError("--timeout must be a positive number of seconds")
        for name in ("max_rows", "max_query_length", "max_depth", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
        for name in ("cache_entries", "cache_mb", "memory_quads"):
            if getattr(self, name) < 0:
                raise ValueError(f"--{name.replace('_', '-')} must be 0 or more")
        if not 0 <= self.port <= 65535:
            raise ValueError("--port must be between 0 and 65535")
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            raise ValueError(f"--public-url {self.public_url!r} is not an http:// or https:// URL")
        if self.store and not self.store.startswith(("http://", "https://")):
            raise ValueError(f"--store {self.store!r} is not an http:// or https:// URL")
        self._validate_front()
        self._validate_workers()

    def _validate_workers(self) -> None:
        """The query workers' memory, response and query size settings."""
        if self.worker_memory_mb < 0:
            raise ValueError("--worker-memory-mb must be 0 (derived from the dataset) or more")
        for name in ("max_response_mb", "max_query_tokens"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")

    def _validate_front(self) -> None:
        """The fairness, connection and logging settings."""
        from coedp.server.clients import parse_networks

        for name in ("header_timeout", "idle_timeout", "send_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"--{name.replace('_', '-')} must be a positive number of seconds")
        for name in ("client_queue", "max_queue", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
        if self.client_queries < 0:
            raise ValueError("--client-queries must be 0 (half the workers) or more")
        if self.log_client not in ("hash", "truncate", "full"):
            raise ValueError(f"--log-client {self.log_client!r}: expected hash, truncate or full")
        for name in ("trusted_proxies", "metrics_clients"):
            value = getattr(self, name)
            if value.strip() == "*" and name == "metrics_clients":
                continue
            try:
                parse_networks(value)
            except ValueError as exc:
                raise ValueError(f"--{name.replace('_', '-')}: {exc}") from None

    @property
    def per_client_queries(self) -> int:
        """Queries one client may run at once (``client_queries``, else half the workers)."""
        return self.client_queries or max(1, self.workers // 2)


def from_environment(env: dict[str, str] | None = None) -> Settings:
    """Return the settings given by ``COEDP_*`` environment variables.

    Raises ``ValueError`` naming the variable when a value does not parse.
    """
    env = dict(os.environ if env is None else env)
    settings = Settings()
    for attr, var, kind, _default, _help in SPECS:
        if var in env and env[var] != "":
            try:
                setattr(settings, attr, kind(env[var]))
            except ValueError:
                raise ValueError(f"{var}={env[var]!r} is not a valid {kind.__name__}") from None
    if env.get("COEDP_DATA"):
        settings.data = Path(env["COEDP_DATA"])
    return settings
