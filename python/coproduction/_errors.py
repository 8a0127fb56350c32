"""The exceptions of the package: every failure of the engine is one of these."""

from __future__ import annotations


class CoproductionError(Exception):
    """A plan, its data or a calculation could not be used.

    Where the problem was found is in the attributes (each ``None`` when it does not
    apply): ``file``, ``row`` (1-based; the header of a CSV file is row 1), ``column`` (or
    plan key) and ``value`` (the offending value, as read). A file that cannot be read or
    written, and an internal fault of the engine, raise this class itself.

    >>> import coproduction
    >>> try:
    ...     coproduction.run("no-such-plan.toml")
    ... except coproduction.CoproductionError as error:
    ...     print(error.file)
    no-such-plan.toml
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        self.value = value


class PlanError(CoproductionError):
    """The plan, impact map, instrument file or a parameter is wrong (fix the plan)."""


class DataError(CoproductionError):
    """The data cannot be evaluated: a table without a required column, no accepted rows,
    a cell that stops the load, or figures that cannot be published safely."""
