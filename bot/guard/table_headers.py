"""The header of the table column a position of a text sits in.

People paste tables: rows of a spreadsheet exported as CSV or TSV, Markdown tables, HTML ones.
A cell's meaning is in its column's header ("Phone", "Durchwahl", "contact number"), lines away
from the cell, where no recognizer's context window reaches. Three layouts are read:

- a Markdown table: lines opening with "|"; the header is the block's first line;
- an HTML table: the cell's index in its ``<tr>``, and the ``<table>``'s first row;
- a delimited block (comma, tab or semicolon, quoted fields allowed): consecutive lines with as
  many fields as the cell's line; the header is the block's first line.
"""

from __future__ import annotations

import csv
import re

# How many lines above a cell its header may be: a long export's header is its first line, but a
# paste of a few hundred rows is not a prompt.
_MAX_ROWS_ABOVE = 200
_DELIMITERS = (",", "\t", ";")
_HTML_ROW = re.compile(r"<tr\b", re.IGNORECASE)
_HTML_CELL_OPENING = re.compile(r"<t[hd]\b", re.IGNORECASE)
_HTML_CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)(?:</t[hd]>|(?=<t[hd]\b)|(?=</tr))", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_TABLE = re.compile(r"<table\b", re.IGNORECASE)


def column_header(text: str, position: int) -> str | None:
    """The header of the column whose cell holds ``position``, stripped; None outside a table or
    in its header row."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if line.lstrip().startswith("|"):
        return _markdown_header(text, line_start, line, position - line_start)
    if "<t" in line.lower():
        return _html_header(text, position)
    for delimiter in _DELIMITERS:
        if delimiter in line:
            return _delimited_header(text, line_start, line, position - line_start, delimiter)
    return None


def _lines_above(text: str, line_start: int) -> list[str]:
    """The lines before the one starting at ``line_start``, nearest first, at most ``_MAX_ROWS_ABOVE``."""
    above = text[:line_start].split("\n")[:-1]
    return above[::-1][:_MAX_ROWS_ABOVE]


def _markdown_header(text: str, line_start: int, line: str, at: int) -> str | None:
    index = line[:at].count("|")
    header = None
    for above in _lines_above(text, line_start):
        if not above.lstrip().startswith("|"):
            break
        header = above
    if header is None:
        return None
    cells = header.split("|")
    return cells[index].strip() if index < len(cells) else None


def _html_header(text: str, position: int) -> str | None:
    row_starts = [match.start() for match in _HTML_ROW.finditer(text, 0, position)]
    table_starts = [match.start() for match in _HTML_TABLE.finditer(text, 0, position)]
    if not row_starts or not table_starts:
        return None
    row_start, table_start = row_starts[-1], table_starts[-1]
    index = len(_HTML_CELL_OPENING.findall(text, row_start, position)) - 1
    first_row = _HTML_ROW.search(text, table_start)
    if index < 0 or first_row is None or first_row.start() >= row_start:
        return None
    row_end = _HTML_ROW.search(text, first_row.end())
    cells = _HTML_CELL.findall(text, first_row.end(), row_end.start() if row_end else len(text))
    return _HTML_TAG.sub("", cells[index]).strip() if index < len(cells) else None


def _delimited_header(text: str, line_start: int, line: str, at: int, delimiter: str) -> str | None:
    fields = _fields(line, delimiter)
    header = None
    for above in _lines_above(text, line_start):
        if len(_fields(above, delimiter)) != len(fields):
            break
        header = above
    if header is None:
        return None
    index = _field_index(line, at, delimiter)
    names = _fields(header, delimiter)
    return names[index].strip() if index < len(names) else None


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _field_index(line: str, at: int, delimiter: str) -> int:
    """Which field of ``line`` holds character ``at``: the delimiters before it outside quotes."""
    index, quoted = 0, False
    for character in line[:at]:
        if character == '"':
            quoted = not quoted
        elif character == delimiter and not quoted:
            index += 1
    return index


# Delimiters a table pasted from a chat or a word processor may also use: pipes without a leading
# one ("नाम | शहर"), the Arabic comma and the full-width comma.
_TABLE_DELIMITERS = (*_DELIMITERS, "|", "\u060c", "\uff0c")
_MARKDOWN_RULE = re.compile(r"^[\s|:\-]+$")
Cell = tuple[int, int]


def delimited_tables(text: str) -> list[list[list[Cell]]]:
    """The delimited and Markdown tables of ``text``: each a list of rows, its header row first,
    each row the (start, end) of its cells, spaces and quotes stripped. A table is two lines or
    more in a row split the same way into as many cells, two or more."""
    tables: list[list[list[Cell]]] = []
    rows: list[list[Cell]] = []
    layout: tuple[str, int] | None = None
    offset = 0
    for line in text.split("\n"):
        cells, line_layout = _cells_of(line, offset)
        offset += len(line) + 1
        if line_layout is not None and _MARKDOWN_RULE.match(line):
            continue  # a Markdown table's rule under its header
        if line_layout is None or line_layout != layout:
            if len(rows) >= 2:
                tables.append(rows)
            rows = []
        layout = line_layout
        if line_layout is not None:
            rows.append(cells)
    if len(rows) >= 2:
        tables.append(rows)
    return tables


def _cells_of(line: str, offset: int) -> tuple[list[Cell], tuple[str, int] | None]:
    """The cells of one line that starts at ``offset`` and how it is split, or None for a line
    that is no table row."""
    stripped = line.strip()
    if stripped.startswith("|"):
        inner_start = line.index("|") + 1
        inner_end = max(inner_start, len(line.rstrip().rstrip("|")))
        spans = _split(line[inner_start:inner_end], "|", offset + inner_start)
        return spans, (("md", len(spans)) if len(spans) >= 2 else None)
    delimiter = next((candidate for candidate in _TABLE_DELIMITERS if candidate in line), "")
    if not delimiter:
        return [], None
    spans = _split(line, delimiter, offset)
    return spans, ((delimiter, len(spans)) if len(spans) >= 2 else None)


def _split(part: str, delimiter: str, offset: int) -> list[Cell]:
    """The stripped cells of ``part`` split on ``delimiter`` outside double quotes."""
    cells, start, quoted = [], 0, False
    for index, character in enumerate(part + delimiter):
        if character == '"':
            quoted = not quoted
        elif character == delimiter and (not quoted or index == len(part)):
            cells.append(_stripped(part, start, index, offset))
            start = index + 1
    return cells


def _stripped(part: str, start: int, end: int, offset: int) -> Cell:
    while start < end and (part[start].isspace() or part[start] == '"'):
        start += 1
    while end > start and (part[end - 1].isspace() or part[end - 1] == '"'):
        end -= 1
    return offset + start, offset + end
