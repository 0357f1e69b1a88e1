"""Where ``index.analysis`` lived before the move: every Whoosh index written then
names its analyzer and positions format by this path, so it stays importable."""

from .index.analysis import SpokenAnalyzer, SpokenPositions

__all__ = ["SpokenAnalyzer", "SpokenPositions"]
