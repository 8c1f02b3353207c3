"""``coedp stats``: counts by named graph, class and label language."""

from __future__ import annotations

import json
from pathlib import Path

from coedp.namespaces import NAMED_GRAPHS


def test_stats_json_counts(built: tuple[Path, Path], coedp) -> None:
    home, dist = built
    proc = coedp("stats", "--json", home=home, dist=dist)
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout)
    assert set(stats["graphs"]) == {str(g) for g in NAMED_GRAPHS}
    assert all(n > 0 for n in stats["graphs"].values())
    classes = {c["class"]: (c["asserted"], c["inferred"]) for c in stats["classes"]}
    assert classes["https://coedp.org/def/Company"] == (3, 3)
    assert classes["https://coedp.org/def/Organisation"] == (0, 3)
    assert classes["https://coedp.org/def/SourceDocument"] == (3, 3)
    assert stats["labels"]["en"]["skos:prefLabel"] == 3
    assert stats["labels"]["fr"]["skos:altLabel"] == 1


def test_stats_tables(built: tuple[Path, Path], coedp) -> None:
    home, dist = built
    proc = coedp("stats", home=home, dist=dist)
    assert proc.returncode == 0, proc.stderr
    for title in ("Triples by named graph", "Instances by class", "Labels by language"):
        assert title in proc.stdout
    row = next(line for line in proc.stdout.splitlines() if "coedp:Organisation " in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")][1:] == ["0", "3"]
