"""身份证号: length, checksum, birth date (errors); legacy 15-digit numbers converted; lost digits;
unknown region (a warning at most); age at the campaign's start.

`prepare_ids` derives the working columns once (vectorised, numpy); the checks below only read
them. Only length, characters, checksum and an impossible birth date make an ID 错误: region
tables are incomplete and strict about dates, so a real person is never rejected for the region.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import problems as P
from ..names import Col, Internal, ProblemCol, Severity
from ..settings import Settings
from ..values import own_copy, text_column as text
from ._base import emit, register

#: names every office a unit fills the template in: LibreOffice and WPS turn a typed 18-digit
#: number into a 15-digit one as Excel does, and a village that used LibreOffice was told Excel
ID_LOST = register("checks.id_lost_digits", "身份证号丢失末位", Severity.ERROR,
                   "身份证号“{id}”被表格软件（Excel、WPS 或 LibreOffice）存成了数字，只保留了前15位，"
                   "最后3位已不是原来的数字，无法还原。请把身份证号一列设为文本格式，重新输入完整的18位号码。")
ID_INVALID = register("checks.id_invalid", "身份证号无效", Severity.ERROR,
                      "身份证号“{id}”无效（{reason}），请核对后重填。")
ID_LEGACY = register("checks.id_legacy", "15位旧身份证号", Severity.WARNING,
                     "15位旧身份证号“{old}”已按规则转换为18位“{id}”，请核对。")
ID_REGION = register("checks.id_region", "身份证地区码未知", Severity.WARNING,
                     "身份证号前6位“{region}”不在行政区划代码表中（代码表可能不全），请核对。")

#: working columns (never written to 名册)
ID_RAW = "_id_raw"          # the ID as the unit wrote it (before the 15 → 18 conversion)
BIRTH = "_birth"            # birth date from the ID (NaT when the ID is not usable)
ID_OK = "_id_ok"            # a well-formed 18-digit ID with a valid checksum and birth date
_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)])
_CHECK = np.array(list("10X98765432"))
_CHECK_BYTES = np.frombuffer(b"10X98765432", dtype=np.uint8)
_SPACES = re.compile(r"[\s\-]")
# 0-9, never \d: \d is any script's digit (Arabic-Indic ٣ too), which is no ID number and which
# the check digit, worked out on bytes, cannot take
_LEGACY = re.compile(r"[0-9]{15}")
_WELL_FORMED = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS18 = re.compile(r"[0-9]{18}")


def check_digits(bodies: pd.Series) -> pd.Series:
    """The GB 11643 check digit of 17-digit strings (vectorised); '' for anything else."""
    ok = bodies.str.fullmatch(r"[0-9]{17}").fillna(False)
    out = pd.Series("", index=bodies.index, dtype=object)
    if ok.any():
        digits = np.frombuffer("".join(bodies[ok]).encode("ascii"), dtype=np.uint8) - 48
        sums = digits.reshape(-1, 17) @ _WEIGHTS
        out[ok] = _CHECK[sums % 11]
    return out


def _checksum_ok(ids: pd.Series, well_formed: pd.Series) -> pd.Series:
    """Whether each ID's 18th character is the check digit of its first 17 (False where the ID
    is not `well_formed`, which the caller requires anyway)."""
    values = ids.tolist()
    if not "".join(values).isascii():   # digits of other scripts: the general (slow) way
        return check_digits(ids.str.slice(0, 17)) == ids.str.slice(17, 18)
    # well-formed ASCII IDs are 18 bytes each: one matrix product for all of them
    out = np.zeros(len(ids), dtype=bool)
    rows = np.flatnonzero(well_formed.to_numpy(dtype=bool))
    if len(rows):
        digits = np.frombuffer("".join([values[i] for i in rows]).encode("ascii"),
                               dtype=np.uint8).reshape(-1, 18)
        sums = (digits[:, :17].astype(np.int64) - 48) @ _WEIGHTS
        out[rows] = _CHECK_BYTES[sums % 11] == digits[:, 17]
    return pd.Series(out, index=ids.index)


def _birth_dates(ids: pd.Series) -> pd.Series:
    return pd.to_datetime(ids.str.slice(6, 14), format="%Y%m%d", errors="coerce")


def _float_image(value: str) -> bool:
    """True when an 18-digit number is exactly what a 15-significant-digit float gives back."""
    n = int(value)
    return int(float(f"{float(n):.15g}")) == n


def to_id18(ids: pd.Series) -> pd.Series:
    """IDs without spaces and hyphens, upper-case X; a 15-digit legacy number with a real birth
    date converted to 18 digits (19 inserted before the birth year, check digit added)."""
    raw = ids.fillna("").astype(str).str.replace(r"[\s\-]", "", regex=True).str.upper()
    return _legacy_to_18(raw)


def _full_matches(values: pd.Series, pattern: re.Pattern[str], length: int) -> pd.Series:
    """`values.str.fullmatch(pattern)` for text values and a pattern of exactly `length`
    characters, in one Python pass that looks at the length first."""
    match = pattern.fullmatch
    return pd.Series([len(v) == length and match(v) is not None for v in values.tolist()],
                     index=values.index, dtype=bool)


def well_formed_ids(ids: pd.Series) -> pd.Series:
    r"""`ids.str.fullmatch(r"[0-9]{17}[0-9X]")` as bool, for text values: 17 digits and a digit
    or X. The 18-character ASCII IDs (nearly all) are looked at as one byte matrix, any others
    by the regex."""
    values = ids.tolist()
    out = np.zeros(len(values), dtype=bool)
    rows = np.flatnonzero(np.fromiter(map(len, values), dtype=np.int64, count=len(values)) == 18)
    candidates = [values[i] for i in rows]
    joined = "".join(candidates)
    if joined.isascii():
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        digit = (chars >= ord("0")) & (chars <= ord("9"))
        out[rows] = digit[:, :17].all(axis=1) & (digit[:, 17] | (chars[:, 17] == ord("X")))
    else:       # a few characters of other scripts among them: the regex says which IDs
        out[rows] = [_WELL_FORMED.fullmatch(v) is not None for v in candidates]
    return pd.Series(out, index=ids.index)


def _legacy_to_18(raw: pd.Series) -> pd.Series:
    """`to_id18` of IDs already without spaces and hyphens, in upper case."""
    legacy = _full_matches(raw, _LEGACY, 15)
    # 15-digit numbers are the rare ones: build the 18-digit form for them only
    old = raw[legacy]
    body = old.str.slice(0, 6) + "19" + old.str.slice(6, 15)
    legacy &= _birth_dates(body).reindex(raw.index).notna()
    return raw.where(~legacy, (body + check_digits(body)).reindex(raw.index))


def raw_ids(written: pd.Series) -> pd.Series:
    """身份证号 text without spaces and hyphens, upper-case X, full-width digits and letters as
    0-9 and A-Z (NFKC, as the merge reads every returned cell: ３３０１０６… typed into 名册 in
    an input method's full-width mode is the same number). ID_RAW: the ID as written, before
    the 15 → 18 conversion."""
    # one Python pass (pandas' string methods take a pass each, about three times as long on
    # 100,000 IDs). Most IDs are ASCII letters and digits only (no space or hyphen is
    # alphanumeric): only the others are normalised and searched.
    return pd.Series([v.upper() if v.isascii() and v.isalnum()
                      else _SPACES.sub("", unicodedata.normalize("NFKC", v)).upper()
                      for v in written.tolist()], index=written.index, dtype=written.dtype)


def prepare_ids(roster: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Add ID_RAW, BIRTH, ID_OK and names.Internal.AGE; convert valid 15-digit IDs to 18 digits."""
    roster = own_copy(roster)
    raw = raw_ids(text(roster, Col.ID))
    roster[ID_RAW] = raw
    ids = _legacy_to_18(raw)
    roster[Col.ID] = ids.where(ids != "", roster[Col.ID])
    well_formed = well_formed_ids(ids)
    birth = _birth_dates(ids.where(well_formed, ""))
    start = pd.Timestamp(settings.params.start or dt.date.today())
    birth = birth.where((birth >= pd.Timestamp(1890, 1, 1)) & (birth <= start))
    roster[ID_OK] = well_formed & _checksum_ok(ids, well_formed) & birth.notna()
    roster[BIRTH] = birth.where(roster[ID_OK])
    b = roster[BIRTH]
    before = (b.dt.month > start.month) | ((b.dt.month == start.month) & (b.dt.day > start.day))
    roster[Internal.AGE] = (start.year - b.dt.year - before.astype(int)).astype("Int64")
    return roster


def lost_digits(roster: pd.DataFrame) -> pd.Series:
    """IDs that went through a float: 18 digits from a number cell, or (reading 名册 back, where
    that flag is gone) a failing checksum on a value a float produces (…000, or its float image)."""
    raw = roster[ID_RAW]
    from_number = roster[Internal.ID_FROM_NUMBER].fillna(False).astype(bool) \
        if Internal.ID_FROM_NUMBER in roster else pd.Series(False, index=roster.index)
    # only a number cell or an ID that fails can have lost digits: the others are not looked at
    maybe = from_number | ~roster[ID_OK]
    digits18 = _full_matches(raw[maybe], _DIGITS18, 18).reindex(roster.index, fill_value=False)
    suspect = digits18 & ~roster[ID_OK]
    image = raw[suspect].map(lambda v: v.endswith("000") or _float_image(v))
    out = digits18 & from_number
    out.loc[image.index] |= image.astype(bool)
    return out


def merge_findings(roster: pd.DataFrame, earlier: pd.DataFrame | None
                   ) -> tuple[pd.Series, list[P.Problem]]:
    """What a merge saw in the returned cells and 名册 no longer shows, for a check of 名册 as
    it is: the rows whose 18-digit ID came from a number cell (a 身份证号丢失末位 row of the
    问题 sheet `earlier`), and the 15-digit IDs it converted (its 15位旧身份证号 rows, with
    their own message: the old number is only there). A 问题 row counts for the 名册 row of the
    same 来源文件 and 来源行 whose 身份证号 is still the one it names; an ID the clerk has
    corrected since is checked as it is now.

    Why: 名册 holds the converted ID as text, so the check could not tell. About one ID in
    eleven that lost its last digits still has a valid check digit: pressing 检查 made such a
    household 有效 and 计算金额 paid it, under a number that is not its own."""
    lost = pd.Series(False, index=roster.index)
    legacy: list[P.Problem] = []
    for code, i, seen in found_before(roster, earlier, (ID_LOST, ID_LEGACY)):
        if code == ID_LOST:
            lost[i] = True
        else:
            legacy.append(P.Problem(code=ID_LEGACY, message=seen[ProblemCol.MESSAGE],
                                    severity=ID_LEGACY.severity, unit=seen[ProblemCol.UNIT],
                                    file=seen[ProblemCol.FILE], row=seen[ProblemCol.ROW],
                                    column=Col.ID, name=seen[ProblemCol.NAME],
                                    id=seen[ProblemCol.ID], extra={"at": i}))
    return lost, legacy


def found_before(roster: pd.DataFrame, earlier: pd.DataFrame | None,
                 codes: Sequence[P.Code], *, older: dict[str, P.Code] | None = None,
                 same_id: bool = True) -> list[tuple[str, Any, dict[str, Any]]]:
    """(code, 名册 row, the 问题 row as text with 来源行 an int) of each row of the 问题 sheet
    `earlier` with one of `codes` that belongs to a 名册 row: the same 来源文件 and 来源行, and
    the 身份证号 it names still there (an ID the clerk corrected since is checked as it is).
    `older`: codes a previous version wrote for the same finding; a 问题 sheet from before its
    代码 column is read by 问题类型. `same_id=False`: by 来源文件 and 来源行 alone, for a finding
    about another cell of the row (the card), which an ID corrected since does not mend."""
    if earlier is None or not len(earlier) or not len(roster) \
            or not {ProblemCol.FILE, ProblemCol.ROW, ProblemCol.ID} <= set(earlier):
        return []
    ours = {str(c): str(c) for c in codes} | {old: str(new) for old, new in (older or {}).items()}
    given = text(earlier, ProblemCol.CODE)
    by_kind = text(earlier, ProblemCol.KIND).map({c.kind: str(c) for c in codes})
    codes_of = given.map(ours).where(given != "", by_kind).fillna("")
    seen = earlier[codes_of != ""].assign(**{ProblemCol.CODE: codes_of})
    ids = text(roster, Col.ID) if same_id else pd.Series("", index=roster.index)
    rows = roster.index[ids.isin(set(text(seen, ProblemCol.ID)) - {""})] if same_id else \
        roster.index[text(roster, Col.SRC_FILE).isin(set(text(seen, ProblemCol.FILE)) - {""})]
    if not len(seen) or not len(rows):
        return []
    at = {(file, row, id_): i for i, file, row, id_ in zip(
        rows, text(roster.loc[rows], Col.SRC_FILE), _row_numbers(roster.loc[rows, Col.SRC_ROW]),
        ids.loc[rows])}
    columns = [ProblemCol.CODE, ProblemCol.FILE, ProblemCol.ID, ProblemCol.MESSAGE,
               ProblemCol.UNIT, ProblemCol.NAME]
    texts = {c: text(seen, c).tolist() for c in columns}
    out: list[tuple[str, Any, dict[str, Any]]] = []
    for n, row in enumerate(_row_numbers(seen[ProblemCol.ROW])):
        found: dict[str, Any] = {str(c): texts[c][n] for c in columns}
        found[ProblemCol.ROW] = row
        i = at.get((found[ProblemCol.FILE], row, found[ProblemCol.ID] if same_id else ""))
        if i is not None and row >= 0:
            out.append((found[ProblemCol.CODE], i, found))
    return out


def _row_numbers(values: pd.Series) -> list[int]:
    """来源行 as ints (-1 where there is none): 6 and 6.0 are one row."""
    return pd.to_numeric(values, errors="coerce").fillna(-1).astype(int).tolist()


def check_id_lost_digits(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    return emit(roster, lost_digits(roster), ID_LOST, column=Col.ID)


def check_id_valid(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    """Length, characters, checksum, birth date — the only reasons an ID is 错误."""
    ids = text(roster, Col.ID)
    bad = (ids != "") & ~roster[ID_OK] & ~lost_digits(roster)
    if not bad.any():
        return []
    b = ids[bad]
    n = b.str.len()
    well_formed = well_formed_ids(b)
    checksum = check_digits(b.str.slice(0, 17)) == b.str.slice(17, 18)
    reason = np.select(
        [~n.isin([15, 18]), ~well_formed & (n == 18), n == 15, ~checksum],
        ["位数不对，应为18位，现为" + n.astype(str) + "位", "含有数字0到9和末位X以外的字符",
         "15位旧号码中的出生日期不存在", "校验位不对，可能有数字填错"],
        default="出生日期不存在或不合理")
    return emit(roster, bad, ID_INVALID, column=Col.ID,
                reason=pd.Series(reason, index=b.index).reindex(roster.index))


def check_id_legacy(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    changed = (roster[ID_RAW].str.len() == 15) & (text(roster, Col.ID).str.len() == 18)
    return emit(roster, changed, ID_LEGACY, column=Col.ID, old=roster[ID_RAW])


#: 6-digit region code → whether stdnum's table knows it, for the codes looked up so far.
#: Loading the table costs ~0.1 s in each process: a merge's check memo hands in the answers
#: of the last merge (pipeline/check_memo.py), so a re-merge that meets no new code never loads it
_REGIONS: dict[str, bool] = {}


def region_known(code: str) -> bool:
    """Whether stdnum's table knows the 6-digit region code for any year."""
    known = _REGIONS.get(code)
    if known is None:
        known = _REGIONS[code] = _in_table(code)
    return known


def _in_table(code: str) -> bool:
    from stdnum import numdb
    info = numdb.get("cn/loc").info(code)
    return any(props.get("county") for _, props in info)


def regions_looked_up() -> dict[str, bool]:
    """The answers of region_known so far, for the check memo to keep."""
    return dict(_REGIONS)


def remember_regions(found: object) -> None:
    """Answers of region_known from an earlier process (ignored unless code → bool)."""
    if isinstance(found, dict):
        _REGIONS.update({k: v for k, v in found.items()
                         if isinstance(k, str) and isinstance(v, bool)})


def check_id_region(roster: pd.DataFrame, settings: Settings) -> list[P.Problem]:
    region = text(roster, Col.ID).str.slice(0, 6)
    ok_rows = roster[ID_OK].astype(bool)
    unknown = {c for c in region[ok_rows].unique() if not region_known(c)}
    return emit(roster, ok_rows & region.isin(unknown), ID_REGION, column=Col.ID, region=region)


ID_CHECKS = (check_id_lost_digits, check_id_valid, check_id_legacy, check_id_region)
