"""Type stubs of the extension module ``nasland._nasland`` (use the ``nasland`` package)."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np
import numpy.typing as npt

_Path = Union[str, "os.PathLike[str]"]

__version__: str

class Error(Exception):
    """Base class of every nasland error; ``.kind`` names the Rust error kind."""

    kind: str

class InputError(Error):
    """An input was refused (unknown architecture, duplicate, missing, not a number, …)."""

class TableError(Error):
    """A ``.nasl`` table could not be read (truncated, not a table, newer version, …)."""

class SpaceError(Error):
    """A search-space name was refused."""

class Analysis:
    """The exact best-improvement landscape of one input (arrays indexed by vertex id)."""

    @property
    def ls(self) -> npt.NDArray[np.uint32]: ...
    @property
    def ls_star(self) -> npt.NDArray[np.uint32]: ...
    @property
    def path_length(self) -> npt.NDArray[np.uint32]: ...
    @property
    def is_local_min(self) -> npt.NDArray[np.bool_]: ...
    @property
    def basin_size(self) -> npt.NDArray[np.uint32]: ...
    @property
    def minima(self) -> npt.NDArray[np.uint32]: ...
    @property
    def n(self) -> int: ...
    def summary(self) -> Dict[str, Any]: ...
    def __len__(self) -> int: ...
    def _repr_html_(self) -> str: ...

class Starts:
    """Exact per-start figures of one local-search variant."""

    @property
    def variant(self) -> str: ...
    @property
    def eps(self) -> float: ...
    @property
    def p_success(self) -> npt.NDArray[np.float64]: ...
    @property
    def expected_moves(self) -> npt.NDArray[np.float64]: ...
    @property
    def expected_evaluations(self) -> npt.NDArray[np.float64]: ...
    @property
    def expected_end_value(self) -> npt.NDArray[np.float64]: ...
    @property
    def end(self) -> npt.NDArray[np.uint32]: ...
    @property
    def top_minima(self) -> npt.NDArray[np.uint32]: ...
    @property
    def p_end(self) -> npt.NDArray[np.float64]: ...
    @property
    def p_success_mean(self) -> float: ...
    @property
    def expected_evaluations_mean(self) -> float: ...
    @property
    def expected_moves_mean(self) -> float: ...
    @property
    def local_minima(self) -> int: ...
    @property
    def strict_local_minima(self) -> int: ...

class Table:
    """A packed ``.nasl`` table, memory-mapped; columns are zero-copy numpy views."""

    @staticmethod
    def open(path: _Path) -> Table: ...
    @property
    def n(self) -> int: ...
    @property
    def columns(self) -> List[str]: ...
    @property
    def directions(self) -> List[str]: ...
    @property
    def meta(self) -> Dict[str, Any]: ...
    def column(self, name: str) -> Union[npt.NDArray[np.float64], npt.NDArray[np.float32]]: ...
    def neighbours(self, v: int) -> npt.NDArray[np.uint32]: ...
    def degree(self, v: int) -> int: ...
    def key(self, v: int) -> str: ...
    def keys(self) -> List[str]: ...
    def __len__(self) -> int: ...

class _Request(TypedDict, total=False):
    """The one input argument of analyze, starts, theory and lon, built by the package's
    ``_request``: where the space and the values come from (see ``nasland.analyze``)."""

    space: Optional[str]
    values: Optional[npt.NDArray[np.float64]]
    keys: Optional[Sequence[str]]
    key: Optional[str]
    metric: Optional[str]
    maximize: Optional[bool]
    graph: Optional[_Path]
    table: Optional[_Path]
    synthetic: Optional[str]
    seed: int
    label: Optional[str]

def analyze(
    request: _Request,
    *,
    eps: Optional[Sequence[float]] = None,
    top: int = 10,
    hardness: bool = True,
) -> Analysis: ...
def starts(
    request: _Request,
    *,
    variant: str = "best",
    eps: float = 0.0,
    top_minima: int = 3,
) -> Starts: ...
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
) -> Table: ...
def theory(
    request: _Request,
    *,
    pdf_n: str = "hist",
    bins: Optional[int] = None,
    pdf_e: str = "paper",
    recursion: str = "tree-exact",
    eps_norm: Optional[Sequence[float]] = None,
) -> Dict[str, Any]: ...
def lon(
    request: _Request,
    *,
    strength: int = 2,
    edges: str = "escape",
    accept: str = "equal",
) -> Dict[str, Any]: ...
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
) -> os.PathLike[str]: ...
