"""Type stubs of the ``nasland`` package."""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._nasland import (
    Analysis as Analysis,
    Error as Error,
    InputError as InputError,
    SpaceError as SpaceError,
    Starts as Starts,
    Table as Table,
    TableError as TableError,
    __version__ as __version__,
)

_Path = Union[str, "os.PathLike[str]"]
# A numpy array by vertex id, or a pandas DataFrame / Series keyed by architecture string.
_Values = Any

def analyze(
    space: Optional[str] = None,
    values: _Values = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[_Path] = None,
    table: Optional[_Path] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    eps: Optional[Sequence[float]] = None,
    top: int = 10,
    hardness: bool = True,
) -> Analysis:
    """Analyse one landscape exactly; ``summary()`` equals ``nasland analyze --json``.

    Table input (``table=``, a DataFrame or Series) needs ``maximize=True`` or
    ``maximize=False``; a packed ``graph=`` column may use its recorded direction.
    """

def starts(
    space: Optional[str] = None,
    values: _Values = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[_Path] = None,
    table: Optional[_Path] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    variant: str = "best",
    eps: float = 0.0,
    top_minima: int = 3,
) -> Starts:
    """Exact per-start figures of ``best``, ``best-random-ties`` or ``first``."""

def pack(
    output: _Path,
    *,
    space: Optional[str] = None,
    table: Optional[_Path] = None,
    key: Optional[str] = None,
    metrics: Optional[Sequence[str]] = None,
    maximize: Union[None, bool, Sequence[str]] = None,
    minimize: Union[None, bool, Sequence[str]] = None,
    edges: Optional[_Path] = None,
    random_regular: Optional[Tuple[int, int]] = None,
    seed: int = 1,
    zstd: bool = False,
    zstd_level: int = 9,
) -> Table:
    """Pack a space into a ``.nasl`` table and open it."""

def theory(
    space: Optional[str] = None,
    values: _Values = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[_Path] = None,
    table: Optional[_Path] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    pdf_n: str = "hist",
    bins: Optional[int] = None,
    pdf_e: str = "paper",
    recursion: str = "tree-exact",
    eps_norm: Optional[Sequence[float]] = None,
) -> Dict[str, Any]:
    """The paper's model beside the exact landscape, as ``nasland theory --json``."""

class Lon(NamedTuple):
    """``nodes, edges, summary = nasland.lon(...)``."""

    nodes: Any  # pandas.DataFrame
    edges: Any  # pandas.DataFrame
    summary: Dict[str, Any]

EDGE_TYPES: Tuple[str, str, str, str]

def lon(
    space: Optional[str] = None,
    values: _Values = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[_Path] = None,
    table: Optional[_Path] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    strength: int = 2,
    edges: str = "escape",
    accept: str = "equal",
) -> Lon:
    """The exact local optima network as DataFrames of nodes and edges, and the
    ``nasland lon --json`` summary."""

def report(
    path: _Path = "nasland-report.html",
    *,
    space: str = "nb201",
    table: Optional[_Path] = None,
    key: Optional[str] = None,
    metrics: Optional[Sequence[str]] = None,
    maximize: Union[None, bool, Mapping[str, bool]] = None,
    synthetic: str = "uniform,levels:10,smooth",
    seed: int = 1,
    figures: int = 6,
    noise_draws: int = 8,
) -> str:
    """Write the HTML report of ``nasland report``; returns its path."""
