"""The release of the dataset: versioned addresses, schema.org Dataset, citation, BibTeX.

* ``/dataset/VERSION/NAME``: a file of the release VERSION (``/dataset/1.0.0/coedp.ttl``),
  the same bytes as ``/download/NAME`` for the release being served;
  ``/dataset/VERSION`` sends (303) to the downloads page. Past releases are
  served from ``releases/VERSION/`` beside the served dataset (a copy of that
  release's dist/ folder): only the files its own SHA256SUMS lists. Another
  version answers 404 naming the releases served here.
* ``dataset_schema(...)``: the schema.org ``Dataset`` of the home and
  downloads pages, as dataset search engines read it: name, description,
  licence, creator, publisher, version, dates, every distribution with its
  format, size and SHA-256, the SPARQL endpoint, and the citation.
* ``citation(...)`` and ``bibtex(...)``: how to cite the release.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from coedp import release
from coedp.build.void import DESCRIPTION, LICENSE, TITLE
from coedp.server.deps import services

if TYPE_CHECKING:
    from coedp.web.downloads import Dump

router = APIRouter(include_in_schema=False)
_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+-]{0,40}$")
CREATOR = "id/org/coedp"


def dataset_iri(base: str) -> str:
    """The dataset's IRI."""
    return base + "id/dataset"


def release_iri(base: str, version: str = release.VERSION) -> str:
    """The IRI of one release of the dataset: ``<BASE>dataset/1.0.0``."""
    return f"{base}dataset/{version}"


def citation(base: str) -> str:
    """The citation of the release, as a sentence."""
    return (
        f"coedp, {TITLE['en']}, version {release.VERSION}, released {release.DATE}. "
        f"Dataset, CC BY 4.0. {dataset_iri(base)}"
    )


def bibtex(base: str) -> str:
    """A BibTeX ``@misc`` entry for the release."""
    year, month, _ = release.DATE.split("-")
    key = "coedp" + release.VERSION.replace(".", "")
    return (
        f"@misc{{{key},\n"
        f"  author       = {{{{coedp}}}},\n"
        f"  title        = {{{{{TITLE['en']}}}}},\n"
        f"  howpublished = {{Dataset, CC BY 4.0}},\n"
        f"  version      = {{{release.VERSION}}},\n"
        f"  year         = {{{year}}},\n"
        f"  month        = {{{int(month)}}},\n"
        f"  url          = {{{dataset_iri(base)}}},\n"
        f"  note         = {{Release {release.VERSION} of {release.DATE}, "
        f"{release_iri(base)}}}\n"
        f"}}\n"
    )


def dataset_schema(base: str, files: Sequence[Dump], lang: str = "en") -> dict[str, object]:
    """schema.org Dataset JSON-LD for ``files`` (downloads.Dump values)."""
    creator = {"@type": "Organization", "@id": base + CREATOR, "name": "coedp",
               "url": base.rstrip("/")}
    distributions = []
    for f in files:
        distributions.append({
            "@type": "DataDownload",
            "name": f.name,
            "encodingFormat": f.media_type.split(";")[0],
            "contentUrl": f"{base}download/{f.name}",
            "contentSize": f"{f.size} B",
            "sha256": f.sha256,
        })
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": dataset_iri(base),
        "name": TITLE.get(lang, TITLE["en"]),
        "alternateName": "coedp",
        "description": DESCRIPTION.get(lang, DESCRIPTION["en"]),
        "inLanguage": ["en", "fr"],
        "url": base.rstrip("/") + f"/{lang}/downloads",
        "sameAs": release_iri(base),
        "license": str(LICENSE),
        "isAccessibleForFree": True,
        "creator": creator,
        "publisher": creator,
        "version": release.VERSION,
        "datePublished": release.DATE,
        "dateModified": release.DATE,
        "keywords": ["Council of Europe", "Digital Partnership", "linked data", "knowledge graph"],
        "distribution": distributions,
        "potentialAction": {
            "@type": "SearchAction",
            "name": "SPARQL 1.1 endpoint",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{base}sparql?query={{query}}"},
            "query-input": "required name=query",
        },
        "citation": citation(base),
    }


RELEASES = "releases"


def _dumps(request: Request) -> Path | None:
    folder: Path | None = services(request.app).backend.info.dumps
    return folder


def past_releases(dataset_folder: Path | None) -> dict[str, Path]:
    """Version -> folder of each past release kept under ``releases/`` (with a SHA256SUMS)."""
    if dataset_folder is None:
        return {}
    root = dataset_folder / RELEASES
    if not root.is_dir():
        return {}
    return {
        d.name: d for d in root.iterdir()
        if d.is_dir() and _VERSION.match(d.name) and (d / "SHA256SUMS").is_file()
    }


@router.api_route("/dataset/{version}", methods=["GET", "HEAD"])
async def release_page(request: Request, version: str) -> Response:
    """A release: the downloads page for the release served, its checksums for a past one."""
    if version == release.VERSION:
        return Response(status_code=303, headers={"Location": "/downloads"})
    past = past_releases(_dumps(request))
    if version in past:
        return Response(status_code=303, headers={"Location": f"/dataset/{version}/SHA256SUMS"})
    return _unknown(request, version)


@router.api_route("/dataset/{version}/{name}", methods=["GET", "HEAD"])
async def release_file(request: Request, version: str, name: str) -> Response:
    """A file of a release (the one served, or a past one kept under releases/)."""
    from coedp.web.downloads import download, listed_in

    if version == release.VERSION:
        return await download(services(request.app).backend.info, name)
    past = past_releases(_dumps(request))
    if version not in past:
        return _unknown(request, version)
    folder = past[version]
    sums = listed_in(folder)
    if name != "SHA256SUMS" and name not in sums:
        return Response(
            f"release {version} has no file {name!r}; see /dataset/{version}/SHA256SUMS\n",
            status_code=404, media_type="text/plain; charset=utf-8",
        )
    media = "text/plain; charset=utf-8" if name == "SHA256SUMS" else _media(name)
    headers = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'attachment; filename="{name}"'}
    if name in sums:
        headers["ETag"] = f'"{sums[name][:32]}"'
    return FileResponse(folder / name, media_type=media, headers=headers)


def _media(name: str) -> str:
    from coedp.web.downloads import _media as media_of

    return media_of(Path(name))[0]


def _unknown(request: Request, version: str) -> Response:
    shown = version if _VERSION.match(version) else "that version"
    served = [release.VERSION, *sorted(past_releases(_dumps(request)))]
    return Response(
        f"release {shown} is not served here; releases: {', '.join(served)} "
        f"(/dataset/VERSION/)\n",
        status_code=404,
        media_type="text/plain; charset=utf-8",
    )
