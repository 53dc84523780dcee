"""Files and sheets the settings point at, read for the pure checks: the lists of 对照名单 (and
参数 低保名单) and the previous campaign (参数 上次活动).

A file comes from another system or another year, so it is read like a returned file: in a
reader process (intake.readers.read_isolated), a damaged or hostile one becoming one problem with
a Chinese reason while the command completes. A name that is no file is looked up as a sheet of
the campaign workbook. Paths are relative to the campaign folder; either slash works.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from collections.abc import Sequence

import pandas as pd

from .. import problems as P
from ..books import Book
from ..checks import Reference, reference_frame
from ..checks.coverage import unreadable_reference
from ..checks.last_campaign import previous_frame, unreadable_last
from ..intake.readers import read_isolated
from ..names import PARAM_LAST_CAMPAIGN, Sheet
from ..settings import Settings
from ..values import as_typed

Rows = Sequence[Sequence[Any]]


def resolve(book: Book, value: str) -> Path:
    """A path typed in the settings: absolute, or relative to the campaign folder."""
    text = value.strip().strip('"“”')
    path = Path(text.replace("\\", "/") if os.sep == "/" else text)
    return path if path.is_absolute() else book.campaign.root / path


def read_source(book: Book, value: str) -> tuple[str, list[tuple[str, Rows]]] | str:
    """(the name shown, [(sheet, rows) …]) of a file or a workbook sheet; a Chinese reason when
    it cannot be read."""
    path = resolve(book, value)
    if path.is_file():
        raw = read_isolated([path], path.parent)[path]
        if isinstance(raw, str):              # a damaged list must not stop the checks
            return f"无法读取（{raw or '文件已损坏'}）"
        return path.name, [(s.name, s.rows) for s in raw.sheets if not s.hidden]
    if value in (str(s) for s in Sheet):
        return "是结果表，不能作为名单"
    try:
        sheets = book.read((value,))
    except Exception:  # a sheet the book cannot give must not stop the checks either
        return "无法从工作簿中读取"
    if value in sheets:
        return value, [(value, sheets[value])]
    return "既不是活动文件夹中的文件，也不是工作簿中的工作表"


def load_references(book: Book, settings: Settings) -> tuple[list[Reference], list[P.Problem]]:
    """Every list of 对照名单 with its rows; an unusable one is a problem and is skipped."""
    out: list[Reference] = []
    problems: list[P.Problem] = []
    for rule in settings.references:
        found = read_source(book, rule.source)
        if isinstance(found, str):
            problems.append(unreadable_reference(rule, found))
            continue
        name, sheets = found
        frames = [f for f in (reference_frame(rows, name) for _, rows in sheets) if f is not None]
        if not frames:
            problems.append(unreadable_reference(rule, "中找不到“身份证号”列"))
            continue
        out.append(Reference(rule, pd.concat(frames, ignore_index=True)))
    return out, problems


def load_previous(book: Book, settings: Settings) -> tuple[pd.DataFrame | None, list[P.Problem]]:
    """The previous campaign's roster (参数 上次活动): the 名册 sheet of its Weiwen.xlsm, or the
    first sheet of a roster file with a 身份证号 column; None when not set or not usable."""
    value = as_typed(settings.params.get(PARAM_LAST_CAMPAIGN) or "")
    if not value:
        return None, []
    found = read_source(book, value)
    if isinstance(found, str):
        return None, [unreadable_last(value, found)]
    name, sheets = found
    ordered = sorted(sheets, key=lambda s: s[0] != Sheet.ROSTER)
    for _, rows in ordered:
        frame = previous_frame(rows, name)
        if frame is not None:
            return frame, []
    return None, [unreadable_last(value, "中找不到有“身份证号”列的名册")]
