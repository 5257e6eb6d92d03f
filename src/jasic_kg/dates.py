"""The days an EDTF value admits (https://www.loc.gov/standards/datetime/), as the `edtf` package computes them.

The `edtf` package is the reference: its pyparsing grammar takes about 0.4 s to build and several milliseconds
per value, more than the rest of `jasic-kg validate` on the shipped graph spends on all its checks (BENCHMARKS.md,
"EDTF bounds"). The forms the graph uses (a year, month or day, unspecified digits such as 200X, the qualifiers
~ ? %, intervals with open ends) are computed here with the package's own padding rules; any other form goes to
the package. tests/test_dates.py proves both paths give the package's bounds on generated values.
"""

from __future__ import annotations

import calendar
import datetime
import re

# YYYY[-MM[-DD]] with unspecified digits (X) and one qualifier; no negative or long years, no seasons.
_DATE = re.compile(r"(\d{2}[\dX]{2})(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?([~?%])?\Z")
_PADDING_MULTIPLIER = {"~": 1, "?": 1, "%": 2}  # edtf.appsettings: MULTIPLIER_IF_APPROXIMATE/UNCERTAIN/BOTH


class NotEDTF(ValueError):
    """The text is not an EDTF value."""


def _shift(day: datetime.date, years: int, months: int, days: int) -> datetime.date:
    """day + (years, months, days) as dateutil's relativedelta adds them (the day clamped to the month's end)."""
    month_index = day.year * 12 + day.month - 1 + years * 12 + months
    year, month = divmod(month_index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1])) + datetime.timedelta(days)


def _simple_span(text: str) -> tuple[datetime.date, datetime.date] | None:
    """The fuzzy bounds of a date this module computes itself; None: leave it to the package."""
    m = _DATE.match(text)
    if m is None:
        return None
    year, month, day, qualifier = m.groups()
    if qualifier and "X" in text:
        return None  # the package pads unspecified qualified values by their significant digits
    if "X" in year and (month or day):
        return None
    if month == "XX" and day and day != "XX":
        return None
    low_year, high_year = int(year.replace("X", "0")), int(year.replace("X", "9"))
    if month in (None, "XX"):
        low, high = datetime.date(low_year, 1, 1), datetime.date(high_year, 12, 31)
    elif not 1 <= int(month) <= 12:
        return None  # not EDTF: the package says so
    elif day in (None, "XX"):
        last = calendar.monthrange(low_year, int(month))[1]
        low, high = datetime.date(low_year, int(month), 1), datetime.date(low_year, int(month), last)
    else:
        try:
            low = high = datetime.date(low_year, int(month), int(day))
        except ValueError:
            return None
    if qualifier:
        n = _PADDING_MULTIPLIER[qualifier]
        pad = (n, n if month else 0, n if day else 0)
        low, high = _shift(low, -pad[0], -pad[1], -pad[2]), _shift(high, *pad)
    return low, high


def _package_span(value) -> tuple[datetime.date, datetime.date] | None:
    from edtf.parser.parser_classes import Season

    if value is None or isinstance(value, Season):  # a season's months depend on hemisphere and usage
        return None
    try:
        return tuple(datetime.date(*t[:3]) for t in (value.lower_fuzzy(), value.upper_fuzzy()))
    except (TypeError, ValueError, AttributeError, OverflowError):  # an open or unknown end
        return None


def edtf_spans(text: str) -> tuple[tuple | None, tuple | None, bool]:
    """(span of the start, span of the end, is an interval) of an EDTF value: each span the (first, last) day it
    admits, widened for ~ ? %, or None where that end is open, unknown or a season. Raises NotEDTF."""
    parts = text.split("/")
    if len(parts) == 1:
        span = _simple_span(text)
        if span is not None:
            return span, span, False
    elif len(parts) == 2 and "X" not in text and parts.count("..") < 2:
        # A/B, A/.. or ../B: the package's Level 1 interval. Other forms (an unknown end written as "", X digits in
        # an interval) are the package's to judge.
        spans = [None if part == ".." else _simple_span(part) for part in parts]
        if all(span is not None or part == ".." for span, part in zip(spans, parts)):
            return spans[0], spans[1], True
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException
    from edtf.parser.parser_classes import Interval

    try:
        parsed = parse_edtf(text)
    except EDTFParseException:
        raise NotEDTF(text) from None
    except Exception as e:  # the package's own bugs on some inputs (e.g. "1000/1000-XX", "/.."): not readable
        raise NotEDTF(f"{text} (the edtf package cannot read it: {type(e).__name__})") from None
    if isinstance(parsed, Interval):
        return _package_span(parsed.lower), _package_span(parsed.upper), True
    span = _package_span(parsed)
    return span, span, False
