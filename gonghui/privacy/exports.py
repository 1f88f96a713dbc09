"""A member's data download as a workbook: one sheet per part, for members who would rather
open it in a spreadsheet than read JSON: each column under its heading in the reader's
language (the JSON keeps the keys, and names the headings beside them)."""

from __future__ import annotations

from typing import Any

from gonghui.core.xlsx import Book


def personal_data_xlsx(data: dict[str, Any]) -> bytes:
    book = Book()
    for key, part in data["parts"].items():
        sheet = book.sheet(part["label"] or key)
        columns = list(dict.fromkeys(column for row in part["rows"] for column in row))
        headings = part.get("columns", {})
        sheet.append([headings.get(column, column) for column in columns])
        for row in part["rows"]:
            # Numbers such as the identity number stay text, so a spreadsheet does not round them.
            sheet.append([row.get(column) for column in columns])
    return book.content()
