"""What a cell shows on paper: its value through its number format, as a spreadsheet prints it.

Only the formats our outputs use are rendered (General, 0 / 0.00 / #,##0 / #,##0.00, percents,
text, the usual date formats); for any other format `shown` returns None and the print check
does not compare that cell's text (it still checks everything else on the page).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

_NUMERIC = re.compile(r'^(?P<sep>#,##)?(?P<int>0+)(?:\.(?P<dec>0+))?(?P<pct>%)?$')
_DATES = {
    "yyyy-mm-dd": "%Y-%m-%d", "yyyy/mm/dd": "%Y/%m/%d", "yyyy/m/d": "{y}/{m}/{d}",
    'yyyy"年"m"月"d"日"': "{y}年{m}月{d}日", "yyyy年m月d日": "{y}年{m}月{d}日",
    "m/d/yy": "{m}/{d}/{yy}", "mm-dd-yy": "%m-%d-%y", "yyyy-mm-dd hh:mm": "%Y-%m-%d %H:%M",
    "yyyy-mm-dd h:mm": "%Y-%m-%d %H:%M", "yyyy-mm-dd hh:mm:ss": "%Y-%m-%d %H:%M:%S",
}


def squash(text: str) -> str:
    """Text as compared on the page: every kind of white space removed (line breaks included)."""
    return "".join(text.split()).replace("\u3000", "")


def _general(number: float) -> str:
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.10g}"


def _date(value: dt.date, fmt: str) -> str | None:
    pattern = _DATES.get(fmt.lower()) or _DATES.get(fmt)
    if pattern is None:
        return None
    if "{" in pattern:
        return pattern.format(y=value.year, m=value.month, d=value.day, yy=f"{value.year % 100:02d}")
    return value.strftime(pattern)


def shown(value: Any, number_format: str | None) -> str | None:
    """The text a cell prints, or None when its format is not one this module renders.

    >>> shown(118700, "#,##0.00"), shown(0.945, "0.0%"), shown("  东湖社区 ", "General")
    ('118,700.00', '94.5%', '  东湖社区 ')
    """
    fmt = (number_format or "General").strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        if fmt == "General":
            return value.strftime("%Y-%m-%d") if not isinstance(value, dt.datetime) or (
                value.time() == dt.time()) else value.strftime("%Y-%m-%d %H:%M:%S")
        return _date(value, fmt)
    if not isinstance(value, (int, float)):
        return None
    if fmt in ("General", "@"):
        return _general(value)
    match = _NUMERIC.match(fmt.split(";")[0])
    if not match:
        return None
    number = float(value) * (100 if match["pct"] else 1)
    decimals = len(match["dec"] or "")
    text = f"{number:,.{decimals}f}" if match["sep"] else f"{number:.{decimals}f}"
    width = len(match["int"])
    if width > 1 and not match["sep"]:
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, _, frac = digits.partition(".")
        text = sign + whole.zfill(width) + ("." + frac if frac else "")
    return text + ("%" if match["pct"] else "")


def is_money_format(number_format: str | None) -> bool:
    """Amounts are printed with two decimals (#,##0.00); counts are not."""
    return number_format is not None and ".00" in number_format and "%" not in number_format
