"""sahelevents: code ACLED-style political-violence events from French Sahel news.

The library is layered one way (see ``tests/test_layers.py``)::

    foundation (spans, issues, yamlio, textnorm, models, codebook, gazetteer, schemas)
      -> sources -> sentences -> extract (rules) -> annotations
      -> validate / evaluate / agreement -> release -> cli

``load_release`` is re-exported lazily so that ``import sahelevents`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl


def load_release(path: Any, table: str = "events") -> pl.DataFrame:
    """Load a release folder (or one of its files) as a polars DataFrame."""
    from sahelevents.release.load import load_release as _load

    frame: pl.DataFrame = _load(path, table=table)
    return frame


__all__ = ["__version__", "load_release"]
