"""Errors raised when an input file breaks the contract as a whole."""

from __future__ import annotations


class InputContractError(Exception):
    """A whole input file cannot be used: missing, unreadable, or lacking a required column.

    The message names the file, the column (where there is one) and what was expected. It never
    contains row-level data.
    """

    def __init__(
        self, file: str, problem: str, expected: str | None = None, column: str | None = None
    ):
        self.file = file
        self.problem = problem
        self.expected = expected
        self.column = column
        parts = [f"{file}: {problem}"]
        if expected:
            parts.append(f"expected {expected}")
        super().__init__("; ".join(parts))
