"""Upload the built dataset to a store speaking the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph of the dataset is sent with one ``PUT URL?graph=IRI``, which
replaces that graph in the store: publishing the same dataset twice leaves
the store as it was after the first time. Triples outside any named graph
(there are none in a coedp build) go to ``PUT URL?default``.

Credentials are sent the way the store asks for them (``WWW-Authenticate``):
HTTP Digest for Virtuoso's ``/sparql-graph-crud-auth``, Basic for Fuseki,
GraphDB or a reverse proxy; ``auth`` can force one of the two.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from coedp.dataset import DatasetError, extensions, locate
from coedp.namespaces import PREFIXES
from coedp.server import formats

# The syntaxes of a built dataset file that keep the graphs apart (quads).
DATASET_FORMATS = (formats.TRIG, formats.NQUADS)
# Files looked for, in this order, when the dataset is given as a folder.
DATASET_FILES = ("coedp.trig", "coedp.nq")
# The syntaxes a graph may be uploaded in (--syntax).
SYNTAXES = (formats.TURTLE, formats.NTRIPLES)
AUTH_SCHEMES = ("auto", "digest", "basic")
MESSAGE_LIMIT = 400  # characters of a store's error message worth showing


class PublishError(Exception):
    """The dataset cannot be published; the message says why, for a person."""


@dataclass(frozen=True)
class Graph:
    """One graph of the dataset, serialised: ``name`` None for the default graph."""

    name: str | None
    triples: int
    body: bytes


@dataclass(frozen=True)
class Upload:
    """What the store answered for one graph: ``status`` 0 when nothing came back."""

    graph: Graph
    status: int
    message: str

    @property
    def ok(self) -> bool:
        """2xx: the store took the graph."""
        return 200 <= self.status < 300


def resolve_dataset(path: Path) -> Path:
    """The TriG or N-Quads file for ``path`` (a file, or a folder holding one):
    only they keep the named graphs that are uploaded one by one."""
    if path.is_file() and path.suffix.lower() not in extensions(DATASET_FORMATS):
        raise PublishError(
            f"{path}: expected a TriG (.trig) or N-Quads (.nq) file, which keep the named graphs"
        )
    try:
        return locate(path, extensions(DATASET_FORMATS), DATASET_FILES)
    except DatasetError as exc:
        raise PublishError(str(exc)) from None


def read_graphs(path: Path, syntax: str = "ntriples") -> list[Graph]:
    """Parse the dataset file and serialise each of its graphs in ``syntax``.

    Raises ``PublishError`` with the parser's message when the file is not valid.
    """
    source = resolve_dataset(path)
    fmt = formats.rdf_format(syntax)
    source_format = formats.from_extension(source.suffix, formats.RDF, DATASET_FORMATS)
    assert source_format is not None and source_format.rdf is not None  # resolve_dataset checked
    by_graph: dict[str | None, list[ox.Triple]] = {}
    try:
        for quad in ox.parse(path=str(source), format=source_format.rdf):
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
            by_graph.setdefault(name, []).append(quad.triple)
    except SyntaxError as exc:
        raise PublishError(f"{source} is not valid: {exc}") from None
    except OSError as exc:
        raise PublishError(f"cannot read {source}: {exc}") from None
    if not by_graph:
        raise PublishError(f"{source} holds no triples")
    prefixes = dict(PREFIXES) if syntax == "turtle" else None
    graphs = []
    # Named graphs in IRI order, then the default graph if there is one.
    for name in sorted(by_graph, key=lambda n: (n is None, n or "")):
        triples = sorted(set(by_graph[name]), key=str)
        body = io.BytesIO()
        ox.serialize(triples, body, format=fmt, prefixes=prefixes)
        graphs.append(Graph(name, len(triples), body.getvalue()))
    return graphs


def target_url(endpoint: str, graph: str | None) -> str:
    """``endpoint?graph=IRI`` (or ``?default``), keeping a query the endpoint URL has."""
    separator = "&" if "?" in endpoint else "?"
    if graph is None:
        return f"{endpoint}{separator}default"
    return f"{endpoint}{separator}graph={quote(graph, safe='')}"


class AutoAuth(httpx.Auth):
    """Answer a 401 challenge with the scheme the server names: Digest or Basic.

    The scheme is remembered, so only the first request pays for the challenge.
    """

    def __init__(self, user: str, password: str) -> None:
        self.digest = httpx.DigestAuth(user, password)
        self.basic = httpx.BasicAuth(user, password)
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.chosen is None:
            response = yield request
            challenge = response.headers.get("www-authenticate", "").lower()
            if response.status_code != 401:
                return
            if challenge.startswith("digest"):
                self.chosen = self.digest
            elif challenge.startswith("basic"):
                self.chosen = self.basic
            else:
                return
        yield from self.chosen.auth_flow(request)


def make_auth(user: str | None, password: str | None, scheme: str = "auto") -> httpx.Auth | None:
    """The httpx authentication for ``--user``/``--password``/``--auth``."""
    if user is None and password is None:
        return None
    if user is None or password is None:
        raise PublishError("give both --user and --password, or neither")
    if scheme == "digest":
        return httpx.DigestAuth(user, password)
    if scheme == "basic":
        return httpx.BasicAuth(user, password)
    return AutoAuth(user, password)


def server_message(response: httpx.Response) -> str:
    """The gist of an error body: tags dropped, whitespace folded, cut short."""
    text = response.text
    if "<" in text and ">" in text:
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    if len(text) > MESSAGE_LIMIT:
        text = text[:MESSAGE_LIMIT] + "..."
    return text or response.reason_phrase


def publish(
    graphs: Iterable[Graph],
    endpoint: str,
    *,
    auth: httpx.Auth | None = None,
    syntax: str = "ntriples",
    timeout: float = 300.0,
    on_upload: Callable[[Upload], None] | None = None,
) -> list[Upload]:
    """PUT each graph to ``endpoint``; stops at the first failure.

    Raises ``PublishError`` when the store cannot be reached at all.
    """
    media = formats.by_name(syntax).content_type
    uploads: list[Upload] = []
    with httpx.Client(auth=auth, timeout=timeout, follow_redirects=False) as client:
        for graph in graphs:
            url = target_url(endpoint, graph.name)
            try:
                response = client.put(url, content=graph.body, headers={"Content-Type": media})
            except httpx.ConnectError as exc:
                raise PublishError(f"cannot connect to {endpoint}: {_reason(exc)}") from None
            except httpx.TimeoutException:
                raise PublishError(
                    f"{endpoint} did not answer within {timeout:g} s while receiving "
                    f"{graph.name or 'the default graph'}"
                ) from None
            except httpx.HTTPError as exc:
                raise PublishError(f"the upload to {endpoint} failed: {_reason(exc)}") from None
            upload = Upload(graph, response.status_code, _explain(response, auth is not None))
            uploads.append(upload)
            if on_upload:
                on_upload(upload)
            if not upload.ok:
                break
    return uploads


def _explain(response: httpx.Response, with_credentials: bool) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return ""
    if status == 401 and not with_credentials:
        return "the store asks for credentials (401): give --user and --password"
    if status == 401:
        return "the store refused the credentials (401): check --user, --password and --auth"
    if status == 403:
        return f"the store forbids this user to write graphs (403): {server_message(response)}"
    if 300 <= status < 400:
        where = response.headers.get("location", "?")
        return f"the store redirects to {where} ({status}): give that URL to --to"
    return f"the store answered {status}: {server_message(response)}"


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused (is the store running, and is this its address?)"
    return text
