"""The one writer contract: what a value becomes in a cell, whichever writer puts it there.

Every path that writes a workbook sheet (the zip splice, openpyxl, xlwings) asks `cell_value`
first, so the three agree: blank → no cell; a bool → a boolean; a number → a number; a date →
a date (an Excel serial with `DATE_FORMAT`, a datetime with `DATETIME_FORMAT`); anything else →
text, exactly as it is (never normalised, never turned into a formula, whatever it starts with).
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

#: number formats of date cells we write (the clerk's own date cells keep theirs where kept)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)

Scalar = None | bool | int | float | str | dt.date | dt.datetime


def cell_value(value: Any) -> Scalar:
    """What goes into a cell: None for blanks (None, NaN, NA, NaT, ''), plain Python scalars
    otherwise — bool, int, float, str, datetime.date or datetime.datetime."""
    if type(value) is str:           # most cells: text, asked for once per cell of every sheet
        return value if value != "" else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    elif hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()                  # numpy scalars
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, (bool, int, float, dt.date)):
        return value
    return str(value)


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date)


def date_only(value: dt.date) -> bool:
    """A date, or a datetime at midnight (shown and compared as a date)."""
    return not isinstance(value, dt.datetime) or value.time() == dt.time()


def excel_serial(value: dt.date) -> float | int:
    """The Excel serial number of a date or datetime (1900 date system)."""
    if not isinstance(value, dt.datetime):
        return (value - _EXCEL_EPOCH.date()).days
    delta = value.replace(tzinfo=None) - _EXCEL_EPOCH
    if delta.seconds == 0 and delta.microseconds == 0:
        return delta.days
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def date_format(value: dt.date) -> str:
    return DATE_FORMAT if date_only(value) else DATETIME_FORMAT


def finite(value: float | int) -> bool:
    return not isinstance(value, float) or math.isfinite(value)
