"""A member's data download as a workbook: one sheet per part, for members who would rather
open it in a spreadsheet than read JSON."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook

# Sheet titles may not hold these characters and are at most 31 long.
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def personal_data_xlsx(data: dict[str, Any]) -> bytes:
    book = Workbook(write_only=True)
    for key, part in data["parts"].items():
        sheet = book.create_sheet(_BAD_TITLE.sub(" ", part["label"] or key)[:31])
        columns = list(dict.fromkeys(column for row in part["rows"] for column in row))
        sheet.append(columns)
        for row in part["rows"]:
            # Numbers such as the identity number stay text, so a spreadsheet does not round them.
            sheet.append([_cell(row.get(column)) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return str(value)
    return value
