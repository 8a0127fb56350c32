"""The compiled engine (``coproduction._native``). Use the functions of ``coproduction``
itself: they give dicts and DataFrames where these give JSON text and rows."""

from typing import Any

__version__: str

class NativeEvaluation:
    """A finished evaluation and its publication under the plan's disclosure rule."""

    def results_json(self) -> str:
        """``results.json``, byte for byte as the command writes it."""
    def tables(self) -> list[tuple[str, str, list[str], list[list[str]]]]:
        """Every report table as (file stem, caption, headers, rows of text)."""
    def rejects(self) -> list[tuple[str, int, str | None, str | None, str]]:
        """The rejected rows as (file, row, column, value, reason)."""
    def warnings(self) -> list[str]:
        """Notes about how the files were read, and plan warnings."""
    def write_report(self, out: str, png_charts: bool | None = None, exact_results: bool | None = None) -> list[str]:
        """Writes the report folder; returns the files written, relative to ``out``."""

def run(plan: str, memory_limit: int | None = None) -> NativeEvaluation:
    """Runs a plan file, without the GIL.

    >>> run("fixtures/demo/plan.toml").results_json()[:1]
    '{'
    """

def run_frames(plan: str, participants: Any, outcomes: Any) -> NativeEvaluation:
    """Runs a plan on two objects exporting ``__arrow_c_stream__`` (polars frames)."""

def validate(plan: str) -> str:
    """The validation as JSON: ``unusable``, ``files``, ``rejects``, ``warnings``."""

def score(instrument: str, items: list[float | None], instruments: list[str] = ...) -> str:
    """One assessment scored, as JSON.

    >>> score("gad7", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    '{"raw_total":7.0,"total":7.0,"answered":7,"prorated":false,"risk_flag":false}'
    """

def load_catalogue(instruments: list[str] = ...) -> str:
    """Every instrument's definition by id, as JSON."""

def sroi(
    impact_map_file: str | None,
    impact_map_text: str | None,
    quantities: dict[str, tuple[float, float | None, float | None, float | None]],
    draws: int,
    seed: int,
    deflator: str | None = None,
) -> str:
    """The ``social_value`` block for a map and its quantities, as JSON."""

def paired_change(first: list[float], last: list[float]) -> str:
    """The change statistics of paired scores, as JSON."""

def _panic_for_test() -> None:
    """Panics inside the engine: raises ``CoproductionError``."""
