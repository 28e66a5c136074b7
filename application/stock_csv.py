"""Reading an import file: one record per line, every bad line numbered, the rest still read."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from domain import rules

HEADER = ("sku", "location_code", "quantity")
# Optional columns of lot-tracked items (ADR 0033): ``lot``, or ``lot,expires_on``, after these.
LOT_COLUMNS = ("lot", "expires_on")
HEADERS = (HEADER, (*HEADER, LOT_COLUMNS[0]), (*HEADER, *LOT_COLUMNS))
# No valid row comes near these: two codes of at most 64 characters and a 13-digit quantity.
MAX_CODE_LENGTH = 64
MAX_LINE_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One well-formed CSV row; ``line`` is its 1-based line number in the file."""

    line: int
    sku: str
    location_code: str
    quantity: int


@dataclass(frozen=True, slots=True)
class LotRow:
    """The lot a row names (only rows that name one): its code and, optionally, its expiry."""

    line: int
    lot: str
    expires_on: date | None


@dataclass(frozen=True, slots=True, order=True)
class RowProblem:
    """Why one line of the file cannot be imported."""

    line: int
    message: str


class StockCsv:
    """Streams well-formed rows from the lines of a CSV file; bad lines land in ``problems``.

    The file is hostile input: lines may be bytes that are not UTF-8, hold NUL bytes, or run to
    megabytes. Each physical line is one record (a quoted field cannot span lines), so every
    problem has the line number the operator sees in an editor, and one bad line never hides
    the rows after it.
    """

    def __init__(self, lines: Iterable[str | bytes], *, minimum: int) -> None:
        self._lines = lines
        self._minimum = minimum  # the least quantity a row may hold (1 receipt, 0 count)
        self.problems: list[RowProblem] = []
        self.lots: list[LotRow] = []  # the rows that name a lot, filled while iterating
        self._width = len(HEADER)

    def __iter__(self) -> Iterator[ImportRow]:
        header_seen = False
        for number, raw in enumerate(self._lines, start=1):
            text = self._text(number, raw)
            if text is None:
                if not header_seen:
                    return  # without a readable header no row can be trusted
                continue
            if not header_seen:
                header_seen = True
                if not self._is_header(text.removeprefix("\ufeff")):
                    self.problems.append(RowProblem(1, _HEADER_MESSAGE))
                    return
                continue
            fields = self._fields(number, text)
            if fields is not None:
                row = self._row(number, fields)
                if row is not None:
                    yield row
        if not header_seen:
            self.problems.append(RowProblem(1, _HEADER_MESSAGE))

    def _text(self, number: int, raw: str | bytes) -> str | None:
        """The line as text without its line break, or None (and a problem) if unreadable."""
        if isinstance(raw, bytes):
            if len(raw) > MAX_LINE_LENGTH * 4:  # checked before decoding megabytes
                self._refuse(number, f"the line is longer than {MAX_LINE_LENGTH} characters")
                return None
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                self._refuse(number, "the line is not valid UTF-8")
                return None
        text = raw.rstrip("\r\n")
        if len(text) > MAX_LINE_LENGTH:
            self._refuse(number, f"the line is longer than {MAX_LINE_LENGTH} characters")
            return None
        if "\x00" in text:
            self._refuse(number, "the line contains a NUL byte")
            return None
        return text

    def _refuse(self, number: int, message: str) -> None:
        self.problems.append(RowProblem(number, message))

    def _fields(self, number: int, text: str) -> list[str] | None:
        if not text.strip():
            return None  # blank lines are allowed anywhere
        if '"' not in text:
            return text.split(",")
        try:
            return next(csv.reader([text], strict=True))
        except (csv.Error, StopIteration):
            self._refuse(number, "a quoted field must be closed on its own line")
            return None

    def _is_header(self, text: str) -> bool:
        names = tuple(h.strip().lower() for h in text.split(","))
        self._width = len(names)
        return names in HEADERS

    def _row(self, line: int, fields: list[str]) -> ImportRow | None:
        if len(fields) != self._width:
            self._refuse(line, f"expected {self._width} fields, found {len(fields)}")
            return None
        sku, code, raw = fields[0].strip(), fields[1].strip(), fields[2].strip()
        if not sku or not code:
            self._refuse(line, "sku and location_code are required")
            return None
        for name, value in (("sku", sku), ("location_code", code)):
            if len(value) > MAX_CODE_LENGTH:
                self._refuse(line, f"{name} is longer than {MAX_CODE_LENGTH} characters")
                return None
        quantity = _integer(raw)
        if quantity is None:
            shown = f" {raw!r}" if len(raw) <= MAX_CODE_LENGTH else ""
            self._refuse(line, f"quantity{shown} is not an integer")
            return None
        if not self._minimum <= quantity <= rules.MAX_QUANTITY:
            self._refuse(
                line, f"quantity must be {self._minimum}..{rules.MAX_QUANTITY}, got {quantity}"
            )
            return None
        if self._width > len(HEADER) and not self._lot(line, fields):
            return None
        return ImportRow(line, sku, code, quantity)

    def _lot(self, line: int, fields: list[str]) -> bool:
        """Record the lot a row names (if any); False (and a problem) if it is malformed."""
        lot = fields[3].strip()
        raw = fields[4].strip() if len(fields) > 4 else ""
        if not lot:
            if raw:
                self._refuse(line, "expires_on is given without a lot")
                return False
            return True
        if not rules.CODE_PATTERN.fullmatch(lot):
            self._refuse(line, "lot must be 1-64 characters of A-Z a-z 0-9 . _ -")
            return False
        expires_on = None
        if raw:
            expires_on = _date(raw)
            if expires_on is None:
                shown = f" {raw!r}" if len(raw) <= MAX_CODE_LENGTH else ""
                self._refuse(line, f"expires_on{shown} is not a date (YYYY-MM-DD)")
                return False
        self.lots.append(LotRow(line, lot, expires_on))
        return True


_HEADER_MESSAGE = (
    f"the header must be {','.join(HEADER)} (optionally followed by {','.join(LOT_COLUMNS)})"
)


def _date(raw: str) -> date | None:
    if not (raw.isascii() and len(raw) == 10):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _integer(raw: str) -> int | None:
    # ASCII digits only (int() would take "٥"), and few enough that int() is cheap.
    if not (raw.isascii() and len(raw) <= 20):
        return None
    try:
        return int(raw)
    except ValueError:
        return None
