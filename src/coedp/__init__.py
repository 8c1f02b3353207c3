"""coedp: the Council of Europe Digital Partnership as a knowledge graph."""

__version__ = "1.0.0"
