"""Masks for numbers quoted in messages that are stored and shown (import error reports)."""

from gonghui.core.masking import mask_numbers
from gonghui.testing import new_id_number, new_mobile


def test_identity_and_mobile_numbers_in_a_quoted_cell_are_masked_mistyped_ones_too():
    id_number, mobile = new_id_number(), new_mobile()
    assert mask_numbers(id_number) == f"{id_number[:6]}********{id_number[-4:]}"
    assert mask_numbers(id_number[:17] + "X") == f"{id_number[:6]}********{id_number[14:17]}X"
    assert mask_numbers(f"海宁{mobile}号") == f"海宁{mobile[:3]}****{mobile[-4:]}号"
    assert mask_numbers(f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}") == f"{mobile[:3]}****{mobile[-4:]}"
    assert mask_numbers(mobile[:10]) == mobile[:3] + "*******"  # one digit short
    assert mask_numbers(id_number[:16]) == f"{id_number[:6]}********{id_number[12:16]}"


def test_dates_names_and_short_numbers_are_left_as_typed():
    for text in ("20240301", "2024-03-01", "2024年3月1日", "海宁中国皮革城股份有限公司", "第3车间", "1234567"):
        assert mask_numbers(text) == text


def test_in_a_mobile_cell_seven_digits_are_already_masked():
    assert mask_numbers("1391234", mobile=True) == "139****"
    assert mask_numbers("无", mobile=True) == "无"
