"""The one error type every adapter raises for bad input."""

from __future__ import annotations


class FeedError(Exception):
    """Bad input: names the file, the rule it broke and, where there is one, the line and column."""

    def __init__(self, file: str, rule: str, message: str, line: int | None = None, column: str | None = None):
        self.file, self.rule, self.detail, self.line, self.column = file, rule, message, line, column
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: [{self.rule}] {self.detail}"

    def as_dict(self) -> dict:
        return {"file": self.file, "rule": self.rule, "message": self.detail, "line": self.line,
                "column": self.column, "text": self.describe()}
