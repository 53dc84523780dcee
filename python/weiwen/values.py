"""Turning cell values (as calamine/openpyxl/csv give them) into text, numbers and dates.

Small, total functions: any input gives a value or None, never an exception.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_typed(value: Any) -> str:
    """The clerk's text as typed, for showing and printing: only the ends trimmed — no NFKC, no
    folding of inner spaces (numbers and dates rendered like `to_text`). Use `to_text` for keys."""
    if isinstance(value, str):
        return value.strip()
    return to_text(value)


def to_text(value: Any) -> str:
    """A cell as a clean key: NFKC (full-width → half-width), stripped, single inner spaces,
    integral floats without .0. For matching and comparing; what is shown uses `as_typed`."""
    if type(value) is str:      # most cells: ASCII is its own NFKC form
        return " ".join((value if value.isascii() else unicodedata.normalize("NFKC", value)).split())
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def to_number(value: Any) -> float | None:
    """700, 700.0, "700", "７００", "700元", "1,100", "10%" → a float; anything else → None."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and not math.isfinite(value) else float(value)
    text = to_text(value).replace(",", "").replace("，", "").replace(" ", "")
    percent = text.endswith("%")
    text = text.rstrip("%")
    for suffix in ("元", "人", "户"):
        text = text.removesuffix(suffix)
    if not _NUMBER_RE.match(text):
        return None
    number = float(text)
    return number / 100 if percent else number


def to_date(value: Any) -> dt.date | None:
    """A date from a date cell, an Excel serial number or text like 2027-01-20 / 2027年1月20日."""
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = to_text(value)
    m = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s.*)?$", text)
    if not m:
        m8 = re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
        if not m8:
            return None
        m = m8
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


#: a column carrying text_column of another, worked out once (see `with_texts`)
TEXT_OF = "_文本:"


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A DataFrame column as stripped str (blank for None/NaN, '' when the column is missing),
    whatever dtype it came in with: for comparing and masking, not for writing back."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    kept = TEXT_OF + column
    if kept in frame.columns:
        return frame[kept].rename(column)
    col = frame[column]
    if not _cell_by_cell(col):
        return col.where(col.notna(), "").astype(str).str.strip()
    # an object Series made str afterwards costs half of building the str Series from the list
    return pd.Series(_texts(col.tolist()), index=col.index, dtype=object).astype("str")


def _cell_by_cell(col: pd.Series) -> bool:
    """Whether text_column makes each cell's text from that cell alone (`_texts`): text and
    mixed cells, every column of a roster read back."""
    return col.dtype == object or isinstance(col.dtype, pd.StringDtype)


def _texts(values: list[Any]) -> list[str]:
    """text_column of cells of text and mixed columns. One pass in Python is about three times
    faster than pandas' where / astype / str.strip, and the checks call this for every column
    they look at. Most cells are text: only the others are asked if blank."""
    return [v.strip() if type(v) is str else "" if v is None else _cell_text(v) for v in values]


def text_at(frame: pd.DataFrame, column: str, rows: np.ndarray) -> np.ndarray:
    """text_column(frame, column) at the positions `rows`, as an object array: only those
    cells are made text when each cell's text is its own (a few rows of 100,000)."""
    if column not in frame or TEXT_OF + column in frame.columns or not _cell_by_cell(frame[column]):
        texts: np.ndarray = text_column(frame, column).to_numpy(object)[rows]
        return texts
    return np.asarray(_texts(frame[column].to_numpy(object)[rows].tolist()), dtype=object)


def texts_differ(a: pd.DataFrame, a_rows: np.ndarray, b: pd.DataFrame, b_rows: np.ndarray,
                 column: str) -> np.ndarray:
    """Whether the text (text_column) of `column` differs between row a_rows[i] of `a` and row
    b_rows[i] of `b`, for each i. Two cells that are the same str, or both blank (None, NaN or
    ''), have the same text without making it: when a roster is compared with the one it was
    made again from (a re-merge), nearly every pair of cells is, and making the text of both
    columns would cost most of the comparison."""
    x, y = _plain(a, column), _plain(b, column)
    if x is None or y is None:
        differ: np.ndarray = text_at(a, column, a_rows) != text_at(b, column, b_rows)
        return differ
    differ = x[a_rows] != y[b_rows]
    maybe = np.flatnonzero(differ)     # still the same text: " 张三" and "张三"
    if len(maybe):
        differ[maybe] = text_at(a, column, a_rows[maybe]) != text_at(b, column, b_rows[maybe])
    return differ


def _plain(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    """The cells of `column` with the blank ones as '' (the text they have), when every other
    cell is a str and its text depends on it alone (text_column strips it): equal cells then
    have equal texts. None when some cell is not text (a number, a date), or the column's text
    is not made cell by cell."""
    if column not in frame:
        return np.full(len(frame), "", dtype=object)
    kept = TEXT_OF + column
    col = frame[kept] if kept in frame.columns else frame[column]
    if not _cell_by_cell(col):
        return None
    return blanks_as_empty(col.to_numpy(object))


def blanks_as_empty(cells: np.ndarray) -> np.ndarray | None:
    """`cells` (an object array) with the blank ones (None, NaN) as '', when every other cell
    is a str; else None. `cells` itself when none is blank."""
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":
        return cells
    cells = cells.copy()
    cells[pd.isna(cells)] = ""
    return cells if pd.api.types.infer_dtype(cells, skipna=False) == "string" else None


def text_of_few(frame: pd.DataFrame, column: str) -> np.ndarray:
    """text_column(frame, column) as an object array, for a column of few distinct values
    (来源文件, 单位): each distinct cell is made text once."""
    cells = _plain(frame, column)
    if cells is None:
        texts: np.ndarray = text_column(frame, column).to_numpy(object)
        return texts
    # only str are left, and two str are one value only when they are equal
    codes, values = pd.factorize(cells)
    return np.asarray(_texts(list(values)), dtype=object)[codes]


def _cell_text(value: Any) -> str:
    """text_column of one cell that is not a str: blank for None / NaN / NaT / NA. Python's own
    numbers first (家庭人口 and 来源行 of 名册 read back are floats in every row): asking
    pd.isna costs more than the rest."""
    kind = type(value)
    if kind is float:
        return "" if value != value else str(value)
    if kind is int:
        return str(value)
    return "" if pd.isna(value) else str(value).strip()


def with_texts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` carrying text_column of each of `columns` (those it has) beside them, for steps
    that ask for the same column's text many times (the checks, about 80 times on 100,000 rows).
    Only for columns that stay as they are while the texts are used; `without_texts` removes
    them."""
    texts = {TEXT_OF + c: text_column(frame, c) for c in columns if c in frame.columns}
    return frame.assign(**texts)


def without_texts(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns
                               if isinstance(c, str) and c.startswith(TEXT_OF)])


def cn_date(value: dt.date | None, default: str = "") -> str:
    """2027年1月20日 — how dates are printed on titles, notices and lists; `default` for none."""
    if not isinstance(value, dt.date):
        return default
    return f"{value.year}年{value.month}月{value.day}日"


def _copies_on_write() -> bool:
    """Whether pandas copies on write: always from pandas 3, by an option in pandas 2."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.get_option("mode.copy_on_write") is True


_COPY_ON_WRITE = _copies_on_write()


def own_copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` the caller may change without changing `frame`: shallow where pandas
    copies on write (copying 100,000 rows × 25 columns costs a tenth of a second), deep where
    it does not (pandas 2 by default, where setting a column of a shallow copy may write into
    the original's block)."""
    return frame.copy(deep=not _COPY_ON_WRITE)
