"""coedp: the Council of Europe Digital Partnership as a knowledge graph."""

from coedp.release import VERSION as __version__

__all__ = ["__version__"]
