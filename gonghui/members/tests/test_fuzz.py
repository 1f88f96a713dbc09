"""Hostile input to the identity checks and the roster reader: whatever text or bytes
arrive, the answer is a clear error (ValidationFailed, RosterFileError, row problems),
never an exception escaping to the import job."""

from __future__ import annotations

import io
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.errors import ValidationFailed
from gonghui.members.exports import csv_bytes, roster_template
from gonghui.members.identity import check_id_number, check_mobile, id_number_check
from gonghui.members.roster import COLUMNS, EmployerIndex, RosterFileError, RowChecker, read_roster
from gonghui.members.tests.rosterfiles import fixture

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Damaged workbooks fail fast and the interesting faults (deep in the zip) are rarer.
FUZZ_XLSX = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = date(2026, 11, 25)
HEADERS = [column.header for column in COLUMNS]
TEMPLATE_XLSX = roster_template("xlsx")

# Text near the real thing finds more than uniform noise: digits, X, full-width forms, spaces.
id_like = st.text(alphabet="0123456789Xx-  \u3000０１２３４５６７８９Ｘ\t", max_size=24)
cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    id_like,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(min_value=datetime(1, 1, 1)),
)


def checker() -> RowChecker:
    employers = EmployerIndex()
    employers.add(pk=1, name="海宁中国皮革城股份有限公司", uscc="91330481MA2B0A0A0A")
    return RowChecker(employers=employers, today=TODAY)


def read_all(data: bytes, filename: str) -> None:
    """Read and check every row as the import does; only RosterFileError may leave."""
    try:
        check = checker()
        for number, raw in read_roster(io.BytesIO(data), filename=filename).rows:
            result = check.check(number, raw)
            assert (result.row is None) == bool(result.errors) or result.row is None
    except RosterFileError as exc:
        assert str(exc)


@FUZZ
@given(st.one_of(st.text(max_size=40), id_like))
def test_id_number_check_only_raises_validation_failed(text: str) -> None:
    try:
        assert len(check_id_number(text).number) == 18
    except ValidationFailed as err:
        assert err.message.startswith("身份证号")


@FUZZ
@given(id_like)
def test_id_check_answers_for_any_text(text: str) -> None:
    check = id_number_check(text, today=TODAY)
    assert (check.problem is None) == (len(check.number) == 18)


@FUZZ
@given(st.one_of(st.text(max_size=30), st.text(alphabet="+860123456789- ", max_size=20)))
def test_mobile_check_only_raises_validation_failed(text: str) -> None:
    try:
        number = check_mobile(text)
        assert number == "" or len(number) == 11
    except ValidationFailed as err:
        assert err.field == "mobile"


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_as_csv(data: bytes) -> None:
    read_all(data, "roster.csv")


@FUZZ
@given(st.lists(st.lists(st.text(max_size=30), max_size=len(HEADERS) + 2), max_size=8))
def test_any_csv_rows_under_the_real_header(rows: list[list[str]]) -> None:
    read_all(csv_bytes([HEADERS, *rows]), "roster.csv")


@FUZZ
@given(st.lists(cells, min_size=len(HEADERS), max_size=len(HEADERS)))
def test_row_checker_takes_any_cells(values: list[object]) -> None:
    raw = {column.key: value for column, value in zip(COLUMNS, values, strict=True)}
    result = checker().check(2, raw)  # type: ignore[arg-type]
    assert result.row is not None or result.errors


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_as_xlsx(data: bytes) -> None:
    read_all(data, "roster.xlsx")


@FUZZ_XLSX
@given(st.data())
def test_damaged_xlsx(data: st.DataObject) -> None:
    """A real workbook with bytes overwritten or cut short, as a broken download would be."""
    broken = bytearray(TEMPLATE_XLSX)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        at = data.draw(st.integers(min_value=0, max_value=len(broken) - 1))
        broken[at] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=1, max_value=len(broken)))
    read_all(bytes(broken[:cut]), "roster.xlsx")


LIBREOFFICE_FILES = {kind: fixture(kind) for kind in ("xls", "ods")}


@FUZZ_XLSX
@given(st.sampled_from(sorted(LIBREOFFICE_FILES)), st.data())
def test_damaged_xls_and_ods(kind: str, data: st.DataObject) -> None:
    """The same for a roster LibreOffice saved as .xls or .ods (read by calamine)."""
    broken = bytearray(LIBREOFFICE_FILES[kind])
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        at = data.draw(st.integers(min_value=0, max_value=len(broken) - 1))
        broken[at] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=1, max_value=len(broken)))
    read_all(bytes(broken[:cut]), f"roster.{kind}")


@FUZZ
@given(st.sampled_from(["xls", "ods"]), st.binary(max_size=3000))
def test_any_bytes_as_xls_or_ods(kind: str, data: bytes) -> None:
    read_all(data, f"roster.{kind}")
