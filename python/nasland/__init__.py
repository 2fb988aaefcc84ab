"""Exact fitness landscapes of neural-architecture-search spaces.

nasland runs best-improvement local search from *every* architecture of a search space
at once and reports the exact landscape: LS(v), LS*(v), path lengths, local minima,
basins, global optima and P(ε), the share of starts that end within ε of the best value.

The numbers are computed by the Rust library behind the ``nasland`` command line, so
``nasland.analyze(...).summary()`` equals ``nasland analyze --json`` for the same input.

>>> import nasland, pandas as pd
>>> df = pd.read_csv("../shared/data/nb201.csv")
>>> a = nasland.analyze("nb201", df, key="arch_str", metric="c100_test_200_mean",
...                     maximize=True)
>>> a.summary()["local_minima"], a.ls_star.shape

Errors derive from ``nasland.Error`` (``InputError``, ``TableError``, ``SpaceError``)
and carry ``.kind``, the name of the Rust error kind. Every computation releases the
GIL. Result arrays are handed to numpy without a copy; ``Table.column`` is a view of
the memory-mapped file.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Mapping, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import _nasland
from ._nasland import (
    Analysis,
    Error,
    InputError,
    SpaceError,
    Starts,
    Table,
    TableError,
    __version__,
)

__all__ = [
    "Analysis",
    "Error",
    "InputError",
    "SpaceError",
    "Starts",
    "Table",
    "TableError",
    "Lon",
    "analyze",
    "lon",
    "pack",
    "report",
    "starts",
    "theory",
    "__version__",
]


def _error(kind: str, message: str) -> InputError:
    e = InputError(message)
    e.kind = kind
    return e


def _direction(maximize: Any) -> Optional[bool]:
    """``maximize=`` as True, False or None (not said); anything else is a TypeError, so
    that a truthy string or number never picks a direction by accident."""
    if maximize is None or isinstance(maximize, (bool, np.bool_)):
        return None if maximize is None else bool(maximize)
    raise TypeError(
        f"maximize= must be True (higher is better) or False (lower is better); "
        f"got {maximize!r}")


def _request(space: Optional[str], values: Any, key: Optional[str], metric: Optional[str],
             maximize: Any, graph: Any, table: Any, synthetic: Optional[str],
             seed: int) -> dict:
    """The one input request every extension function takes (``Request`` in
    python/src/input.rs): where the space and the values come from, the values as an
    array by vertex id or keys and values row by row (pandas), the names and the
    direction."""
    request = {"space": space, "graph": graph, "table": table, "synthetic": synthetic,
               "seed": int(seed)}
    request.update(_values(values, key, metric, maximize, synthetic, table))
    return request


def _values(values: Any, key: Optional[str], metric: Optional[str],
            maximize: Any, synthetic: Optional[str], table: Any) -> dict:
    """``values`` as the request's ``values``, ``keys``, ``key``, ``metric``,
    ``maximize`` and ``label``."""
    maximize = _direction(maximize)
    if maximize and values is None and table is None and metric is None:
        warnings.warn("maximize=True does not apply to synthetic losses (lower is better); "
                      "ignored", UserWarning, stacklevel=4)
    if values is None:
        return {"values": None, "keys": None, "key": key, "metric": metric,
                "maximize": maximize, "label": None}
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        pd = None
    if pd is not None and isinstance(values, (pd.DataFrame, pd.Series)):
        if maximize is None:
            raise _error(
                "maximize_required",
                "pandas input needs maximize=True (higher is better, e.g. accuracy) or "
                "maximize=False (lower is better, e.g. loss or latency)")
        if isinstance(values, pd.DataFrame):
            if key is None or metric is None:
                raise _error(
                    "column_required",
                    "a DataFrame needs key= (the column of architecture strings) and "
                    f"metric= (the column to analyse); its columns are: {list(values.columns)}")
            for name, what in ((key, "key"), (metric, "metric")):
                if name not in values.columns:
                    raise _error(
                        "unknown_column",
                        f"the DataFrame has no {what} column {name!r}; its columns are: "
                        f"{list(values.columns)}")
            keys = values[key]
            column = values[metric]
            label = "DataFrame"
        else:
            keys = values.index.to_series()
            column = values
            key = key or (values.index.name or "arch")
            metric = metric or (values.name if isinstance(values.name, str) else "value")
            label = "Series"
        try:
            data = np.ascontiguousarray(pd.to_numeric(column, errors="coerce"),
                                        dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise _error("not_a_number", f"column {metric!r}: {e}") from None
        return {"values": data, "keys": [str(k) for k in keys], "key": str(key),
                "metric": str(metric), "maximize": bool(maximize), "label": label}
    array = np.asarray(values)
    if array.ndim != 1:
        raise _error("wrong_shape",
                     f"values must be 1-D (one value per vertex id); got shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise _error("not_a_number", f"values must be numbers; got dtype {array.dtype}")
    return {"values": np.ascontiguousarray(array, dtype=np.float64), "keys": None,
            "key": key, "metric": metric,
            "maximize": False if maximize is None else bool(maximize), "label": None}


def analyze(
    space: Optional[str] = None,
    values: Any = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[Union[str, os.PathLike]] = None,
    table: Optional[Union[str, os.PathLike]] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    eps: Optional[Sequence[float]] = None,
    top: int = 10,
    hardness: bool = True,
) -> Analysis:
    """Analyse one landscape exactly: best-improvement local search from every vertex.

    Where the space comes from (one of):

    - ``space``: a product space, ``"nb201"`` (default), ``"tnb101"``, ``"nats-sss"``,
      ``"5^9"`` (K^D) or ``"3x4x5"``; vertex ids as in DESIGN.md §1;
    - ``graph``: a packed ``.nasl`` table (``nasland.pack``); analyse its column
      ``metric=``, synthetic losses, or ``values`` by vertex id.

    Where the values come from (one of):

    - ``values`` as a 1-D numpy array (or anything ``np.asarray`` takes), indexed by
      vertex id. ``maximize`` defaults to False: the values are losses.
    - ``values`` as a pandas DataFrame (``key=`` names the column of architecture
      strings, ``metric=`` the column to analyse) or a Series indexed by architecture
      string. ``maximize=`` is required (True or False). Keys are mapped and checked by the same code as
      ``nasland analyze --table``: an unknown architecture, a duplicate, a missing
      architecture or a value that is not finite raise ``InputError`` (``.kind``
      ``unknown_architecture``, ``duplicate``, ``missing``, ``not_a_number``). Messages
      count rows like a CSV with a header: row i is "line i + 2".
    - ``table``: a CSV file, as ``--table`` (``key=`` defaults to the benchmark's);
      ``maximize=`` is required: True (higher is better, e.g. accuracy) or False (lower
      is better, e.g. loss or latency). Without it ``InputError`` (``.kind``
      ``direction_needed``) is raised: a direction is never guessed. A ``graph`` column
      uses the direction recorded by ``pack``; ``maximize=`` may confirm it, a
      contradiction raises ``direction_conflict``, and a column packed without one needs
      ``maximize=`` as a CSV column does. Synthetic losses need none.
    - ``synthetic``: ``"uniform"`` (the default when nothing else is given),
      ``"levels:K"`` or ``"smooth"``, drawn with ``seed``.

    Options: ``eps`` (ε values in metric units for P(ε); default 0 and 0.1 %, 1 %, 10 %
    of the value range), ``top`` (best local minima listed in the summary), ``hardness``
    (compute the hardness block: a BFS and a first-improvement DP).

    Returns an :class:`Analysis`: numpy arrays ``ls``, ``ls_star``, ``path_length``,
    ``is_local_min``, ``basin_size`` (``basin_size[m]`` = number of starts whose LS* is
    m; 0 for non-minima), ``minima`` (ascending ids), and ``summary()``, the dict of
    ``nasland analyze --json``. The GIL is released while it computes.
    """
    return _nasland.analyze(
        _request(space, values, key, metric, maximize, graph, table, synthetic, seed),
        eps=None if eps is None else [float(e) for e in eps], top=top, hardness=hardness)


def starts(
    space: Optional[str] = None,
    values: Any = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[Union[str, os.PathLike]] = None,
    table: Optional[Union[str, os.PathLike]] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    variant: str = "best",
    eps: float = 0.0,
    top_minima: int = 3,
) -> Starts:
    """Exact per-start figures of one local-search variant, as ``nasland starts``.

    The input is given as for :func:`analyze`. ``variant`` is ``"best"`` (best
    improvement, ties to the lowest id), ``"best-random-ties"`` or ``"first"`` (first
    improvement over a uniformly random neighbour order). A search succeeds when it ends
    within ``eps`` (metric units) of the best value. ``top_minima`` is K, the number of
    best local minima whose end probabilities are tracked.

    Returns a :class:`Starts` with per-vertex numpy arrays ``p_success``,
    ``expected_moves``, ``expected_evaluations``, ``expected_end_value``, ``end``
    (``"best"`` only), ``top_minima`` and ``p_end`` (n × K), and the means over starts.
    """
    return _nasland.starts(
        _request(space, values, key, metric, maximize, graph, table, synthetic, seed),
        variant=variant, eps=float(eps), top_minima=top_minima)


def pack(
    output: Union[str, os.PathLike],
    *,
    space: Optional[str] = None,
    table: Optional[Union[str, os.PathLike]] = None,
    key: Optional[str] = None,
    metrics: Optional[Sequence[str]] = None,
    maximize: Union[None, bool, Sequence[str]] = None,
    minimize: Union[None, bool, Sequence[str]] = None,
    edges: Optional[Union[str, os.PathLike]] = None,
    random_regular: Optional[tuple] = None,
    seed: int = 1,
    zstd: bool = False,
    zstd_level: int = 9,
) -> Table:
    """Pack a space into a memory-mapped ``.nasl`` table, as ``nasland pack``; returns the
    :class:`Table`, opened.

    Exactly one of: ``space`` (a product space such as ``"nb201"``, or ``"nb101"``),
    ``edges`` (a CSV edge list over the rows of ``table``; ``key`` required), or
    ``random_regular=(n, s)`` (a random simple s-regular graph seeded by ``seed``).
    ``table`` is a CSV whose numeric columns (``metrics``, default all but the key and
    row counters) are stored; ``maximize`` records columns as higher-is-better and
    ``minimize`` as lower-is-better (``True``: all not named by the other; a list: those).
    A column named by neither is stored without a direction (``Table.directions`` says
    ``"unspecified"``), and analysing it then needs ``maximize=``. The file is written beside
    ``output`` and renamed into place; a ``.zst`` name or ``zstd=True`` compresses it.
    """
    def listed(names):
        if isinstance(names, str):
            return [names]
        return names if isinstance(names, (bool, type(None))) else list(names)
    return _nasland.pack(
        output, space=space, table=table, key=key,
        metrics=None if metrics is None else list(metrics),
        maximize=listed(maximize), minimize=listed(minimize),
        edges=edges,
        random_regular=None if random_regular is None else tuple(random_regular),
        seed=seed, zstd=zstd, zstd_level=zstd_level)


def theory(
    space: Optional[str] = None,
    values: Any = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[Union[str, os.PathLike]] = None,
    table: Optional[Union[str, os.PathLike]] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    pdf_n: str = "hist",
    bins: Optional[int] = None,
    pdf_e: str = "paper",
    recursion: str = "tree-exact",
    eps_norm: Optional[Sequence[float]] = None,
) -> dict:
    """The paper's model (Theorem 5.1) fitted to a landscape, beside the exact values.

    The input is given as for :func:`analyze`. Losses are normalised to
    x = (loss - best) / (worst - best) in [0, 1]. ``pdf_n`` is the global density:
    ``"hist"`` (Freedman-Diaconis bins unless ``bins``), ``"kde"`` or ``"uniform"``;
    ``pdf_e`` the neighbour density: ``"paper"``, ``"empirical"`` or ``"iid"``;
    ``recursion`` ``"tree-exact"`` or ``"paper"``; ``eps_norm`` the ε values in
    normalised units, each in (0, 1] (default 0.001, 0.003, 0.01, 0.03, 0.1, 0.3).

    Returns the dict ``nasland theory --json`` prints: ``normalisation``, ``model``,
    ``predicted`` (local minima, P(ε)), ``exact`` and ``difference``. It is computed by
    the application layer's single fit pipeline (``nasland::fit``), the one the report
    uses too. (The CLI's ``--random-regular`` shortcut is not offered: pack the graph
    with :func:`pack` and pass ``graph=``.)
    """
    return _nasland.theory(
        _request(space, values, key, metric, maximize, graph, table, synthetic, seed),
        pdf_n=pdf_n, bins=bins, pdf_e=pdf_e, recursion=recursion,
        eps_norm=None if eps_norm is None else [float(e) for e in eps_norm])


class Lon(NamedTuple):
    """The result of :func:`lon`: ``nodes, edges, summary = nasland.lon(...)``."""

    nodes: Any
    """pandas DataFrame, one row per local minimum (see :func:`lon`)."""
    edges: Any
    """pandas DataFrame, one row per edge (see :func:`lon`)."""
    summary: dict
    """The dict ``nasland lon --json`` prints."""


EDGE_TYPES = ("improving", "equal", "worsening", "self")


def lon(
    space: Optional[str] = None,
    values: Any = None,
    *,
    key: Optional[str] = None,
    metric: Optional[str] = None,
    maximize: Optional[bool] = None,
    graph: Optional[Union[str, os.PathLike]] = None,
    table: Optional[Union[str, os.PathLike]] = None,
    synthetic: Optional[str] = None,
    seed: int = 1,
    strength: int = 2,
    edges: str = "escape",
    accept: str = "equal",
) -> Lon:
    """The exact local optima network of a landscape (docs/LON.md), as DataFrames.

    The input is given as for :func:`analyze`. ``edges``: ``"escape"`` (every
    perturbation of ``strength`` positions, or to distance ``strength`` on a graph, then
    local search) or ``"basin"`` (basin-transition probabilities); ``accept``: how ILS
    moves, ``"equal"`` (if not worse) or ``"better"`` (strictly better only).

    Returns :class:`Lon` ``(nodes, edges, summary)``:

    - ``nodes``: columns ``id, arch, value, basin, funnel, cmlon, ils_success,
      ils_perturbations`` as in ``nasland lon --out``'s nodes.csv (``value`` in the
      metric's units), then ``vertex``, the minimum's vertex id;
    - ``edges``: ``src, dst, weight, type`` as in edges.csv, ``type`` a categorical of
      ``improving, equal, worsening, self``; each node's weights sum to 1;
    - ``summary``: the dict ``nasland lon --json`` prints (censuses, funnels, exact ILS
      success).

    Everything is computed by the application layer the command line runs, so the frames
    equal the CSV files of ``nasland lon --out`` for the same input.
    """
    import pandas as pd

    raw = _nasland.lon(
        _request(space, values, key, metric, maximize, graph, table, synthetic, seed),
        strength=int(strength), edges=edges, accept=accept)
    nodes = pd.DataFrame(raw["nodes"])
    columns = raw["edges"]
    columns["type"] = pd.Categorical.from_codes(columns["type"].astype(np.int8),
                                                categories=list(EDGE_TYPES))
    return Lon(nodes, pd.DataFrame(columns), raw["summary"])


def report(
    path: Union[str, os.PathLike] = "nasland-report.html",
    *,
    space: str = "nb201",
    table: Optional[Union[str, os.PathLike]] = None,
    key: Optional[str] = None,
    metrics: Optional[Sequence[str]] = None,
    maximize: Union[None, bool, Mapping[str, bool]] = None,
    synthetic: str = "uniform,levels:10,smooth",
    seed: int = 1,
    figures: int = 6,
    noise_draws: int = 8,
) -> str:
    """Write the self-contained HTML report of ``nasland report`` to ``path``; returns it.

    Without ``table`` it reports ``space`` under each synthetic model in ``synthetic``
    (comma-separated). With ``table`` (a CSV), each column in ``metrics`` is one input;
    ``maximize`` is required: one flag for all, or a dict column → flag naming every
    column (a column without a direction raises ``InputError``, ``direction_needed``). ``figures``: draw figures
    for the first N inputs; ``noise_draws``: noisy landscapes per σ.
    """
    return str(_nasland.report(
        path, space=space, table=table, key=key,
        metrics=None if metrics is None else list(metrics),
        maximize=dict(maximize) if isinstance(maximize, Mapping) else maximize,
        synthetic=synthetic, seed=seed, figures=figures, noise_draws=noise_draws))

