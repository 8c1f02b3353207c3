"""owlrl and reasonable put the same triples in the inferred graph of the real data."""

from __future__ import annotations

import importlib.util

import pytest

from coedp import paths
from coedp.build.pipeline import load_sources
from coedp.build.reason import infer

if importlib.util.find_spec("reasonable") is None:
    pytest.skip(
        "the optional 'reasonable' reasoner is not installed (pip install 'coedp[reasonable]')",
        allow_module_level=True,
    )


def test_both_reasoners_infer_the_same_triples_on_the_real_data() -> None:
    sources = load_sources(paths.project_root(), need_shapes=False)
    by_owlrl = set(infer(sources.ontology.graph, sources.data.graph, "owlrl"))
    by_reasonable = set(infer(sources.ontology.graph, sources.data.graph, "reasonable"))
    assert by_owlrl, "the real data should yield inferences (hasParticipant, types...)"
    assert sorted(by_owlrl - by_reasonable) == []
    assert sorted(by_reasonable - by_owlrl) == []
