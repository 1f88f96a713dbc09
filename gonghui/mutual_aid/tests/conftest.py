import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_chinese():
    """The tests read messages in the source language, whatever an earlier test switched to."""
    with translation.override("zh-hans"):
        yield
