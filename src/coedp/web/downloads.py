"""The downloads page (/downloads) and the dumps themselves (/download/NAME).

The files are those of the backend's dumps folder (the folder the served
dataset was loaded from, the output of ``coedp build``; an external store has
none), as listed in its SHA256SUMS: only a name listed
there can be served, so no path can reach anything else. The page gives each
file's format, size and SHA-256 (read from SHA256SUMS, and checked against
the file when the page is built), the named graphs with their sizes, a
summary of the VoID/DCAT description (/download/void.ttl), the licence and
how to cite the dataset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from coedp import release
from coedp.dataset import file_sha256
from coedp.server import formats
from coedp.server.backends.base import DatasetInfo
from coedp.server.deps import DatasetDep, SettingsDep
from coedp.web import catalogue, describe, i18n, releases, render
from coedp.web.data import DataError
from coedp.web.entity import Builder
from coedp.web.iris import IriMap
from coedp.web.state import site

router = APIRouter(include_in_schema=False)

# Files of other kinds are served as bytes.
OCTETS = "application/octet-stream"
SUMS = "SHA256SUMS"
_LINE = re.compile(r"^([0-9a-f]{64})\s+\*?(\S+)$")


@dataclass(frozen=True)
class Dump:
    """A published file: name, SHA-256 as listed, size, media type and format name."""

    name: str
    sha256: str
    size: int
    media_type: str
    format: str
    verified: bool


def folder(dataset: DatasetInfo) -> Path | None:
    """The folder of the published files (None: the backend has none)."""
    return dataset.dumps


def listed(dataset: DatasetInfo) -> dict[str, str]:
    """name -> SHA-256 from the folder's SHA256SUMS (empty when there is none)."""
    where = folder(dataset)
    if where is None:
        return {}
    return listed_in(where)


def listed_in(where: Path) -> dict[str, str]:
    """name -> SHA-256 from the SHA256SUMS of the folder ``where`` (plain names only)."""
    path = where / SUMS
    if not path.is_file():
        return {}
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line.strip())
        if match and "/" not in match.group(2) and not match.group(2).startswith("."):
            sums[match.group(2)] = match.group(1)
    return sums


def dumps(dataset: DatasetInfo, cache: dict[str, Dump]) -> list[Dump]:
    """Every listed file that exists, with its size and whether its checksum matches.

    Hashes each file the first time (blocking: call it off the event loop).
    """
    where = folder(dataset)
    result: list[Dump] = []
    for name, sha in sorted(listed(dataset).items()):
        if where is None:
            break
        path = where / name
        if not path.is_file():
            continue
        if name not in cache:
            media, fmt = _media(path)
            if name == "shapes.ttl":
                fmt = "SHACL shapes, Turtle"
            elif name == "void.ttl":
                fmt = "VoID / DCAT description, Turtle"
            cache[name] = Dump(name, sha, path.stat().st_size, media, fmt, file_sha256(path) == sha)
        result.append(cache[name])
    return result


def _media(path: Path) -> tuple[str, str]:
    """The Content-Type of a dump and its format's name for people."""
    fmt = formats.from_extension(path.suffix, formats.RDF, formats.FILE_FORMATS)
    if fmt is None:
        return OCTETS, path.suffix
    named = " (named graphs)" if fmt in (formats.NQUADS, formats.TRIG) else ""
    return fmt.content_type, fmt.title + named


def human_size(size: int) -> str:
    """1234567 -> '1.2 MB'."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"


def dump_cache(app: FastAPI) -> dict[str, Dump]:
    """The app's memo of the dumps already hashed (they never change while served)."""
    return site(app).dumps


@router.api_route("/download/{name}", methods=["GET", "HEAD"])
async def download(dataset: DatasetDep, name: str) -> Response:
    """A file listed in SHA256SUMS, with its media type; anything else is 404."""
    sums = listed(dataset)
    where = folder(dataset)
    path = where / name if where is not None else None
    if path is not None and name == SUMS and path.is_file():
        return FileResponse(
            path,
            media_type="text/plain; charset=utf-8",
            headers={"Access-Control-Allow-Origin": "*"},
        )
    if path is None or name not in sums or not path.is_file():
        return Response(
            f"no file {name!r} is published; see /downloads\n",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    media, _ = _media(path)
    return FileResponse(
        path,
        media_type=media,
        headers={
            "Access-Control-Allow-Origin": "*",
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{sums[name][:32]}"',
        },
    )


@router.api_route("/downloads", methods=["GET", "HEAD"])
async def downloads_page(
    request: Request, dataset: DatasetDep, settings: SettingsDep
) -> Response:
    """The dumps, the VoID/DCAT summary, the licence and how to cite."""
    lang, _ = i18n.choose(request)
    cache = dump_cache(request.app)
    # Hashing the files reads them whole: never on the event loop.
    files = await run_in_threadpool(dumps, dataset, cache)
    iris = IriMap(settings.base_iri)
    dataset_iri = iris.base + "id/dataset"
    summary = []
    try:
        cat = await catalogue.get(request.app)
        about = await describe.describe(request.app, dataset_iri)
        builder = Builder(cat, iris, lang)
        keep = {
            "http://purl.org/dc/terms/" + k
            for k in (
                "title",
                "description",
                "license",
                "issued",
                "modified",
                "creator",
                "publisher",
            )
        }
        keep |= {
            "http://rdfs.org/ns/void#" + k
            for k in ("triples", "entities", "sparqlEndpoint", "uriSpace")
        }
        for p, o in about.out:
            if p.value in keep and (not o.lang or o.lang == lang):
                summary.append((builder.prop(p.value)[0], builder.value(o)))
    except DataError:
        pass
    graphs = [
        (
            g.name,
            g.triples,
            "/rdf-graph-store?graph=" + quote(g.name, safe=""),
            iris.link(g.name) or g.name,
        )
        for g in dataset.graphs
        if g.name
    ]
    return render.page(
        request,
        "downloads.html",
        {
            "files": files,
            "human_size": human_size,
            "summary": summary,
            "graphs": graphs,
            "dataset_doc": iris.doc_path(dataset_iri),
            "version": dataset.version[:12],
            "release": release,
            "release_iri": releases.release_iri(iris.base),
            "citation": releases.citation(iris.base),
            "bibtex": releases.bibtex(iris.base),
            "dataset_schema": releases.dataset_schema(iris.base, files, lang),
            "has_void": any(f.name == "void.ttl" for f in files),
            "has_sums": bool(files),
        },
    )
