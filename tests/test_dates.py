"""jasic_kg.dates computes the days an EDTF value admits; the `edtf` package is the oracle: on generated values
the fast path and the package give the same bounds, and the same refusal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jasic_kg.dates import NotEDTF, _package_span, edtf_spans

pytest.importorskip("edtf")


def _by_the_package(text: str):
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException
    from edtf.parser.parser_classes import Interval

    try:
        parsed = parse_edtf(text)
    except EDTFParseException:
        return NotEDTF
    except Exception:  # the package's own bugs ("1000/1000-XX", "/.."): jasic_kg.dates refuses these too
        return NotEDTF
    if isinstance(parsed, Interval):
        return _package_span(parsed.lower), _package_span(parsed.upper), True
    return _package_span(parsed), _package_span(parsed), False


years = st.builds(lambda y, x: str(y)[: 4 - x] + "X" * x, st.integers(1000, 2999), st.sampled_from([0, 0, 0, 1, 2]))
months = st.sampled_from(["", "-01", "-02", "-06", "-12", "-XX", "-00", "-13", "-21"])
days = st.sampled_from(["", "-01", "-15", "-28", "-29", "-30", "-31", "-XX", "-00", "-32"])
qualifiers = st.sampled_from(["", "", "~", "?", "%"])
dates = st.builds(lambda y, m, d, q: y + m + (d if m else "") + q, years, months, days, qualifiers)
ends = st.one_of(dates, st.sampled_from(["..", ""]))
values = st.one_of(dates, st.builds(lambda a, b: f"{a}/{b}", ends, ends))


@pytest.mark.slow  # the package parses a value in several milliseconds
@settings(max_examples=300, deadline=None)
@given(values)
def test_the_fast_path_gives_the_packages_bounds(text):
    expected = _by_the_package(text)
    if expected is NotEDTF:
        with pytest.raises(NotEDTF):
            edtf_spans(text)
    else:
        assert edtf_spans(text) == expected


@pytest.mark.parametrize("text, start, end", [
    ("2018-06", ("2018-06-01", "2018-06-30"), ("2018-06-01", "2018-06-30")),
    ("2015~", ("2014-01-01", "2016-12-31"), ("2014-01-01", "2016-12-31")),
    ("200X", ("2000-01-01", "2009-12-31"), ("2000-01-01", "2009-12-31")),
    ("2018-06/2018-07-27", ("2018-06-01", "2018-06-30"), ("2018-07-27", "2018-07-27")),
    ("2018-07-27/..", ("2018-07-27", "2018-07-27"), None),
    ("2020-22", None, None),  # a season: not checked
])
def test_bounds_of_the_forms_the_graph_uses(text, start, end):
    got_start, got_end, _ = edtf_spans(text)
    assert (tuple(map(str, got_start)) if got_start else None) == start
    assert (tuple(map(str, got_end)) if got_end else None) == end


@pytest.mark.parametrize("text", ["2018-13", "2018-02-30", "the 1980s", "2018-06-31"])
def test_what_is_not_edtf_is_refused(text):
    with pytest.raises(NotEDTF):
        edtf_spans(text)
