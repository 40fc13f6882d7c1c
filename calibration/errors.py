"""Typed errors of the calibration package (one root, ``CalibrationError``)."""

from __future__ import annotations

__all__ = ["CalibrationError", "FitError", "ManifestError", "StackFileError"]


class CalibrationError(Exception):
    """Root of every error the calibration package raises deliberately."""


class ManifestError(CalibrationError, ValueError):
    """A manifest row or column is missing or malformed; the message names row and column."""

    def __init__(
        self, path: str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        where = path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.row = row
        self.column = column


class FitError(CalibrationError, ValueError):
    """The thresholds cannot be fitted (no usable features, impossible bounds or gaps)."""


class StackFileError(CalibrationError, ValueError):
    """A Pulumi stack file cannot be read or updated (no ``config:`` mapping, bad YAML)."""
