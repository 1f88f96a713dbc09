from gonghui.core.codes import ALPHABET, random_code, typed_code


def test_a_code_comes_in_groups_of_four_from_the_alphabet() -> None:
    code = random_code(12)
    assert len(code) == 14 and code[4] == code[9] == "-"
    assert set(code.replace("-", "")) <= set(ALPHABET)


def test_a_code_is_read_back_whatever_its_width_case_or_misread_letters() -> None:
    assert typed_code("７ｋ３ｍ－9q2x") == "7K3M9Q2X"
    assert typed_code(" oil 0-1 ") == "01101"
    assert typed_code("") == ""
