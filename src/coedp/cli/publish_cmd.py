"""``coedp publish``: upload the built dataset to a Graph Store, one PUT per named graph."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from coedp import console

DESCRIPTION = """\
Upload the built dataset (dist/coedp.trig or dist/coedp.nq) to a store that speaks
the SPARQL 1.1 Graph Store HTTP Protocol: one 'PUT URL?graph=IRI' per named graph.
PUT replaces the graph, so publishing twice leaves the store as after the first time.
Other graphs of the store are left alone.
"""

EPILOG = """\
Graph Store URLs of common stores (the SPARQL endpoint to give 'coedp serve --store'
in brackets):
  Virtuoso        http://HOST:8890/sparql-graph-crud-auth   (http://HOST:8890/sparql)
                  digest auth, user dba or one with the SPARQL_UPDATE role
  Apache Jena     http://HOST:3030/DATASET/data              (http://HOST:3030/DATASET/sparql)
  GraphDB         http://HOST:7200/repositories/REPO/rdf-graphs/service
                                                     (http://HOST:7200/repositories/REPO)
  Oxigraph server http://HOST:7878/store                     (http://HOST:7878/query)
  Amazon Neptune  https://HOST:8182/sparql/gsp/              (https://HOST:8182/sparql)

examples:
  coedp publish --to http://localhost:8890/sparql-graph-crud-auth --user dba --password dba
  COEDP_PUBLISH_PASSWORD=secret coedp publish --to http://localhost:3030/coedp/data --user admin

exit codes:
  0  every graph was stored (2xx)
  1  the store refused a graph or could not be reached (the message says why)
  2  usage error, or no built dataset
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``publish`` sub-command."""
    parser = subparsers.add_parser(
        "publish",
        help="upload the built dataset to a SPARQL Graph Store",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--to", required=True, metavar="URL",
                        help="the store's Graph Store Protocol endpoint")
    parser.add_argument("--user", default=None, help="user name, when the store asks for one")
    parser.add_argument(
        "--password", default=None,
        help="password (or the COEDP_PUBLISH_PASSWORD environment variable, which keeps it "
        "out of the process list)",
    )
    parser.add_argument(
        "--auth", choices=("auto", "digest", "basic"), default="auto",
        help="authentication scheme; 'auto' answers the scheme the store asks for "
        "(default: auto)",
    )
    parser.add_argument(
        "--data", type=Path, default=None, metavar="PATH",
        help="the built dataset: a .trig or .nq file, or a folder holding coedp.trig or "
        "coedp.nq (default: dist/, or COEDP_DIST)",
    )
    parser.add_argument(
        "--syntax", choices=("turtle", "ntriples"), default="ntriples",
        help="syntax of the uploaded graphs: text/turtle or application/n-triples "
        "(default: ntriples, which every store reads alike)",
    )
    parser.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                        help="seconds to wait for the store on each graph (default: 300)")
    parser.set_defaults(func=console.guarded(run))


def run(args: argparse.Namespace) -> int:
    """Read the dataset, upload each graph, print a table; 0 when every graph was stored."""
    from coedp import publish
    from coedp.paths import default_dist

    if not args.to.startswith(("http://", "https://")):
        console.error(f"--to {args.to!r} is not an http:// or https:// URL")
        return 2
    password = args.password
    if password is None:
        password = os.environ.get("COEDP_PUBLISH_PASSWORD") or None
    try:
        auth = publish.make_auth(args.user, password, args.auth)
        graphs = publish.read_graphs(args.data or default_dist(), args.syntax)
    except publish.PublishError as exc:
        console.error(str(exc))
        return 2
    try:
        uploads = publish.publish(
            graphs, args.to, auth=auth, syntax=args.syntax, timeout=args.timeout
        )
    except publish.PublishError as exc:
        console.error(str(exc))
        return 1
    rows: list[tuple[str, int, int | str]] = [
        (u.graph.name or "(default graph)", u.graph.triples, u.status) for u in uploads
    ]
    skipped = graphs[len(uploads):]
    rows += [(g.name or "(default graph)", g.triples, "not sent") for g in skipped]
    console.out().print(console.table(
        f"Published to {args.to}", ("graph", "triples", "HTTP status"), rows,
        numeric=("triples",),
    ))
    failed = [u for u in uploads if not u.ok]
    if failed:
        console.error(f"{failed[0].graph.name or 'the default graph'}: {failed[0].message}")
        return 1
    total = sum(g.triples for g in graphs)
    print(f"{len(graphs)} graphs, {total} triples stored", file=sys.stderr)
    return 0
