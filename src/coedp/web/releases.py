"""The release of the dataset: versioned addresses, schema.org Dataset, citation, BibTeX.

* ``/dataset/VERSION/NAME``: a file of the release VERSION (``/dataset/1.0.0/coedp.ttl``),
  the same bytes as ``/download/NAME`` for the release being served;
  ``/dataset/VERSION`` sends (303) to the downloads page. Another version
  answers 404 naming the releases served here.
* ``dataset_schema(...)``: the schema.org ``Dataset`` of the home and
  downloads pages, as dataset search engines read it: name, description,
  licence, creator, publisher, version, dates, every distribution with its
  format, size and SHA-256, the SPARQL endpoint, and the citation.
* ``citation(...)`` and ``bibtex(...)``: how to cite the release.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from coedp import release
from coedp.build.void import DESCRIPTION, LICENSE, TITLE

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


@router.api_route("/dataset/{version}", methods=["GET", "HEAD"])
async def release_page(request: Request, version: str) -> Response:
    """A release: the downloads page for the release served, else 404."""
    if version != release.VERSION:
        return _unknown(version)
    return Response(status_code=303, headers={"Location": "/downloads"})


@router.api_route("/dataset/{version}/{name}", methods=["GET", "HEAD"])
async def release_file(request: Request, version: str, name: str) -> Response:
    """A file of a release (the files of the release served here)."""
    if not name:
        return await release_page(request, version)
    if version != release.VERSION:
        return _unknown(version)
    from coedp.web.downloads import download

    return await download(request, name)


def _unknown(version: str) -> Response:
    shown = version if _VERSION.match(version) else "that version"
    return Response(
        f"release {shown} is not served here; releases: {release.VERSION} "
        f"(/dataset/{release.VERSION}/)\n",
        status_code=404,
        media_type="text/plain; charset=utf-8",
    )
