"""Evaluate community co-production pilots and their social value from Python.

The engine is the ``coproduction`` Rust crate, the same one behind the ``coprod``
command: a plan gives the same figures here as there.

>>> import coproduction
>>> evaluation = coproduction.run("fixtures/demo/plan.toml")
>>> round(evaluation.results["social_value"]["sroi_ratio"], 2)
6.24
>>> evaluation.tables["tt_talking_therapies"].columns[0]
'Measure'

Every count of people is published under the plan's disclosure rule (small numbers
shown as ``<5`` or hidden), exactly as in the report.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Union

import polars as pl

from . import _native
from ._errors import CoproductionError, DataError, PlanError

__all__ = [
    "CoproductionError",
    "DataError",
    "Evaluation",
    "PlanError",
    "Validation",
    "load_catalogue",
    "paired_change",
    "run",
    "run_frames",
    "score",
    "sroi",
    "validate",
]

__version__: str = _native.__version__

PathLike = Union[str, "os.PathLike[str]"]
#: The default Monte Carlo draws and seed of a plan's ``[social_value]``.
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20_250_401


def _text_frame(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> pl.DataFrame:
    """A table of text cells, one column per header (repeated headers numbered)."""
    names: list[str] = []
    for header in headers:
        name, n = header, 1
        while name in names:
            n += 1
            name = f"{header} ({n})"
        names.append(name)
    columns = {name: [row[i] if i < len(row) else None for row in rows] for i, name in enumerate(names)}
    return pl.DataFrame(columns, schema={name: pl.String for name in names})


def _rejects_frame(rows: Sequence[tuple[str, int, str | None, str | None, str]]) -> pl.DataFrame:
    file, row, column, value, reason = (list(c) for c in zip(*rows)) if rows else ([], [], [], [], [])
    return pl.DataFrame(
        {"file": file, "row": row, "column": column, "value": value, "reason": reason},
        schema={"file": pl.String, "row": pl.UInt64, "column": pl.String, "value": pl.String, "reason": pl.String},
    )


class Evaluation:
    """A finished evaluation: its published results, report tables and rejected rows.

    Made by :func:`run` or :func:`run_frames`. The figures are those of the report the
    ``coprod`` command writes, under the plan's disclosure rule.
    """

    def __init__(self, native: _native.NativeEvaluation) -> None:
        self._native = native

    @cached_property
    def results(self) -> dict[str, Any]:
        """``results.json`` as a dict: the same keys and numbers the command writes.

        >>> evaluation = run("fixtures/demo/plan.toml")
        >>> sorted(evaluation.results)[:3]
        ['crate_version', 'data_quality', 'disclosure_control']
        """
        return json.loads(self._native.results_json())

    @cached_property
    def tables(self) -> dict[str, pl.DataFrame]:
        """The report's tables by name, as ``tables/<name>.csv`` holds them: one text
        column per header, figures formatted as printed (``<5`` for a small count).
        Use ``.to_pandas()`` on any of them for pandas.

        >>> evaluation = run("fixtures/demo/plan.toml")
        >>> "data_quality" in evaluation.tables
        True
        """
        return {name: _text_frame(headers, rows) for name, _caption, headers, rows in self._native.tables()}

    @cached_property
    def rejects(self) -> pl.DataFrame:
        """Every rejected row with its reason (``rejects.csv``): ``file``, ``row``,
        ``column``, ``value``, ``reason``."""
        return _rejects_frame(self._native.rejects())

    @property
    def warnings(self) -> list[str]:
        """Notes about how the files were read, and the plan's warnings."""
        return self._native.warnings()

    def write_report(
        self, out: PathLike, *, png_charts: bool | None = None, exact_results: bool | None = None
    ) -> list[str]:
        """Writes the report folder the command writes (``report.html``, ``report.md``,
        ``results.json``, ``rejects.csv``, ``tables/``, ``charts/``), all or nothing.

        ``png_charts`` and ``exact_results`` override the plan's ``[report]`` settings.
        Returns the files written, relative to ``out``. A folder holding anything but a
        previous report (or any of the plan's inputs) is refused with a ``PlanError``.

        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp()) / "report"
        >>> files = run("fixtures/demo/plan.toml").write_report(out)
        >>> "report.html" in files
        True
        """
        return self._native.write_report(os.fspath(out), png_charts, exact_results)

    def __repr__(self) -> str:
        return f"<coproduction.Evaluation: {self.results.get('title', '')!r}>"


def run(plan: PathLike, *, memory_limit: int | None = None) -> Evaluation:
    """Runs a plan file (``plan.toml``): ingest, outcomes, equity, social value.

    ``memory_limit`` (bytes) refuses data that would need more memory, before a row is
    read (default: the memory the system has available). The GIL is released while the
    engine runs.

    >>> evaluation = run("fixtures/demo/plan.toml")
    >>> [p["id"] for p in evaluation.results["pilots"]]
    ['tt', 'cv', 'dem', 'wb']

    Raises :class:`PlanError` for a wrong plan, :class:`DataError` for data that cannot
    be evaluated (with ``file``, ``row``, ``column`` and ``value``).
    """
    return Evaluation(_native.run(os.fspath(plan), memory_limit))


def _arrow(frame: Any, what: str) -> Any:
    """An object exporting the Arrow C stream interface for a polars or pandas frame."""
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(frame, pl.DataFrame):
        return frame
    module = type(frame).__module__.split(".")[0]
    if module == "pandas":
        return _from_pandas(frame)
    if hasattr(frame, "__arrow_c_stream__"):
        return frame
    raise TypeError(f"{what} must be a polars or pandas DataFrame (or export __arrow_c_stream__), not {type(frame)}")


def _from_pandas(frame: Any) -> pl.DataFrame:
    """A pandas frame as polars: through pyarrow when it is installed, otherwise column by
    column (numpy columns as they are, text columns with missing values as nulls)."""
    try:
        return pl.from_pandas(frame)
    except ImportError:
        pass
    columns = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "biuf":
            columns.append(pl.Series(str(name), column.to_numpy(), nan_to_null=True))
        else:
            values = column.astype(object).where(column.notna(), None).tolist()
            columns.append(pl.Series(str(name), [None if v is None else str(v) for v in values], dtype=pl.String))
    return pl.DataFrame(columns)


def run_frames(plan: PathLike, *, participants: Any, outcomes: Any) -> Evaluation:
    """Runs a plan on participants and outcomes held in memory: polars or pandas
    DataFrames (or anything exporting the Arrow C stream interface) with the columns of
    ``participants.csv`` and ``outcomes.csv``. The frames reach the engine through Arrow,
    not through a CSV file; every cell is checked as a CSV cell is. The plan's
    ``participants`` and ``outcomes`` files are not read; its other files are.

    >>> import polars as pl
    >>> people = pl.read_csv("fixtures/demo/participants.csv", infer_schema=False)
    >>> scores = pl.read_csv("fixtures/demo/outcomes.csv", infer_schema=False)
    >>> evaluation = run_frames("fixtures/demo/plan.toml", participants=people, outcomes=scores)
    >>> evaluation.results["data_quality"]["files"][0]["file"]
    'participants frame'
    """
    return Evaluation(
        _native.run_frames(os.fspath(plan), _arrow(participants, "participants"), _arrow(outcomes, "outcomes"))
    )


@dataclass(frozen=True)
class Validation:
    """What :func:`validate` found."""

    #: Rows read, accepted and rejected per file (``file``, ``rows_read``,
    #: ``rows_accepted``, ``rows_rejected``).
    files: list[dict[str, Any]]
    #: Every rejected row with its reason.
    rejects: pl.DataFrame
    #: Required inputs with no accepted rows, each with its most useful fix.
    unusable: list[str] = field(default_factory=list)
    #: Notes about how the files were read, and plan warnings.
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the plan can be run (rejected rows are reported, not fatal)."""
        return not self.unusable


def validate(plan: PathLike) -> Validation:
    """Runs everything :func:`run` runs except the report, and returns the accounting
    and the problems as data.

    >>> check = validate("fixtures/demo/plan.toml")
    >>> check.ok, check.files[0]["rows_read"], check.rejects.height
    (True, 600, 0)
    """
    found = json.loads(_native.validate(os.fspath(plan)))
    rejects = [(r["file"], r["row"], r["column"], r["value"], r["reason"]) for r in found["rejects"]]
    return Validation(
        files=found["files"], rejects=_rejects_frame(rejects), unusable=found["unusable"], warnings=found["warnings"]
    )


def _item(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def score(instrument: str, items: Iterable[float | None], *, instruments: Iterable[PathLike] = ()) -> dict[str, Any]:
    """Scores one assessment's item answers by the instrument's rules (``None`` or NaN is
    a blank item, pro-rated where the instrument allows it).

    Returns ``raw_total``, ``total`` (the analysed score), ``answered``, ``prorated`` and
    ``risk_flag``. ``instruments`` adds definition files (TOML) to the built-in ones.

    >>> score("phq9", [2, 2, 1, 3, 1, 2, 1, 0, 1])["total"]
    13.0

    Raises :class:`DataError` for an answer out of range or too many blanks, and
    :class:`PlanError` for an unknown instrument.
    """
    return json.loads(
        _native.score(instrument, [_item(v) for v in items], [os.fspath(p) for p in instruments])
    )


def load_catalogue(instruments: Iterable[PathLike] = ()) -> dict[str, dict[str, Any]]:
    """Every instrument's definition by id: items, ranges, scoring, bands, reliable
    change, norms, each threshold with its source and confidence.

    >>> catalogue = load_catalogue()
    >>> catalogue["gad7"]["items"], catalogue["gad7"]["total_max"]
    (7, 21.0)
    """
    return json.loads(_native.load_catalogue([os.fspath(p) for p in instruments]))


def _quantity(link: str, value: Any) -> tuple[float, float | None, float | None, float | None]:
    if isinstance(value, Mapping):
        get = lambda key: None if value.get(key) is None else float(value[key])  # noqa: E731
        count = get("count")
        if count is None:
            raise PlanError(f"quantity '{link}' needs a 'count'", column=link)
        return (count, get("denominator"), get("ci_low"), get("ci_high"))
    return (float(value), None, None, None)


def sroi(
    impact_map: PathLike,
    quantities: Mapping[str, float | Mapping[str, float | None]] | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    deflator: PathLike | None = None,
) -> dict[str, Any]:
    """Values an impact map without a plan: a researcher's what-if.

    ``impact_map`` is a file (``impact_map.toml`` or ``.csv``) or the map's TOML text.
    ``quantities`` answers its links (``quantity_from = "tt.reliable_recovery"``,
    ``hours_from = "tt.volunteer_hours"``) by ``"<pilot>.<metric>"``: a number, or a
    mapping with ``count`` and optionally ``denominator``, ``ci_low``, ``ci_high``
    (carried into the Monte Carlo). Returns the ``social_value`` block of
    ``results.json``: present value, investment, SROI ratio, sensitivity, Monte Carlo.

    >>> value = sroi('''
    ... price_year = 2024
    ... discount = 0.035
    ... [[input]]
    ... stakeholder = "Funder"
    ... description = "Grant"
    ... amount = 10000
    ... [[outcome]]
    ... stakeholder = "Participants"
    ... outcome = "Recovery"
    ... indicator = "People recovered"
    ... quantity_from = "tt.recovery"
    ... value = 1500
    ... value_price_year = 2024
    ... proxy_source = "a stated proxy"
    ... duration_years = 1
    ... attribution = 0.5
    ... ''', {"tt.recovery": 20})
    >>> round(value["present_value"], 2)
    14492.75
    """
    text = os.fspath(impact_map)
    is_text = isinstance(impact_map, str) and ("\n" in text or "=" in text)
    links = {link: _quantity(link, v) for link, v in (quantities or {}).items()}
    found = _native.sroi(
        None if is_text else text,
        text if is_text else None,
        links,
        draws,
        seed,
        None if deflator is None else os.fspath(deflator),
    )
    return json.loads(found)


def paired_change(first: Iterable[float], last: Iterable[float]) -> dict[str, Any]:
    """The change statistics the report gives for one measure, from each person's first
    and last score (in the same order).

    Returns ``n_paired``, ``mean_first``, ``mean_last``, ``mean_change`` (last − first),
    ``sd_change``, the paired t test (``t``, ``df``, ``p_value``, ``ci_low``,
    ``ci_high``), the Wilcoxon signed-rank test (``wilcoxon_statistic``, ``wilcoxon_p``,
    ``wilcoxon_method``) and the effect sizes ``d_z``, ``d_av``, ``g_av`` with their 95%
    intervals. A statistic the data cannot give (no spread) is ``None``.

    >>> change = paired_change([16, 14, 12, 18], [10, 9, 11, 12])
    >>> change["mean_change"]
    -4.5
    """
    return json.loads(_native.paired_change([float(v) for v in first], [float(v) for v in last]))
