import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaptersearch.timecode import format_clock, parse_clock


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0:00", 0),
        ("36:01", 2161),
        ("1:02:03", 3723),
        ("01:31", 91),
        ("00:00:05.5", 5.5),
        ("1:00,250", 60.25),
    ],
)
def test_parse_clock(text: str, seconds: float) -> None:
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("text", ["", "12", "1:60", "1:61:00", "a:bc", "1:2"])
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_format_clock() -> None:
    assert format_clock(0) == "0:00"
    assert format_clock(2161.9) == "36:01"
    assert format_clock(3723) == "1:02:03"


@given(st.integers(min_value=0, max_value=99 * 3600))
def test_round_trip(seconds: int) -> None:
    assert parse_clock(format_clock(seconds)) == seconds
