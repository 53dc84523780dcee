"""Which unit (社区/村) sent a returned file: embedded code, then title, file name, 单位 column.

Pure: takes what the reader found (meta, title text, relative path, a 单位 column) and the 单位
sheet. Names match loosely: "东湖社区居委会" and "东湖" both find 东湖社区, as long as the short form
belongs to one unit only.
"""
from __future__ import annotations

import re

from ..settings import Settings, Unit
from . import normalize as N
from .readers import META_CODE, META_NAME

_SUFFIXES = ("社区居民委员会", "村民委员会", "居民委员会", "社区居委会", "居委会", "村委会", "社区", "村")
_NOISE = re.compile(r"[\s\u3000（）()【】\[\]《》“”\"'、，,。.\-_]+")
#: a short name followed by these names a street, town or road, not the unit (文新街道 ≠ 文新社区)
_PLACE_AFTER = ("街道", "镇", "乡", "区", "县", "市", "路", "街", "大道", "片区")

def _clean(text: str) -> str:
    return _NOISE.sub("", N.text_value(text))


class UnitIndex:
    """Look-ups over the 单位 sheet: exact names, codes and unambiguous short names."""

    def __init__(self, settings: Settings) -> None:
        self.units = list(settings.units)
        self.by_code = {u.code: u for u in self.units if u.code}
        self.by_name = {_clean(u.name): u for u in self.units if u.name}
        short: dict[str, list[Unit]] = {}
        for unit in self.units:
            name = _clean(unit.name)
            for suffix in _SUFFIXES:
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    short.setdefault(name[: -len(suffix)], []).append(unit)
                    break
        self.by_short = {k: v[0] for k, v in short.items() if len(v) == 1 and k not in self.by_name}
        # longest first, so 李家村二组 is not taken for 李家村 when both exist
        self._needles = sorted([*self.by_name.items(), *self.by_short.items()],
                               key=lambda kv: -len(kv[0]))

    def find_in(self, text: str) -> Unit | None:
        """The unit whose name (or short name, or code) appears in `text`; None if none or two."""
        text = _clean(text)
        if not text:
            return None
        found: list[Unit] = []
        for needle, unit in self._needles:
            # `needle in text` first: most of the few hundred names are not there at all
            if needle in text and self._mentions(text, needle):
                if found and any(needle in _clean(f.name) for f in found):
                    continue              # "东湖" inside an already found "东湖社区"
                if unit not in found:
                    found.append(unit)
        if not found:
            found = [u for code, u in self.by_code.items() if len(code) >= 4 and code in text]
        return found[0] if len(found) == 1 else None

    def _mentions(self, text: str, needle: str) -> bool:
        """Whether `text` names the unit `needle` stands for; a short name (东湖) does not
        count where it is the start of a street's or town's name (东湖街道)."""
        if needle in self.by_name:
            return needle in text
        at = text.find(needle)
        while at >= 0:
            if not text.startswith(_PLACE_AFTER, at + len(needle)):
                return True
            at = text.find(needle, at + 1)
        return False

    def named(self, value: str) -> Unit | None:
        """A 单位 cell: the exact name, a short name or a code."""
        text = _clean(value)
        return self.by_name.get(text) or self.by_short.get(text) or self.by_code.get(text)


def recognise(index: UnitIndex, meta: dict[str, str], title: str, relname: str) -> Unit | None:
    """The file's unit from its embedded code, its title cells or its path; None when unknown
    (the caller then tries the 单位 column row by row)."""
    code = meta.get(META_CODE, "")
    if code and code in index.by_code:
        return index.by_code[code]
    if meta.get(META_NAME) and index.named(meta[META_NAME]):
        return index.named(meta[META_NAME])
    unit = index.find_in(title)
    if unit:
        return unit
    stem = relname.rsplit(".", 1)[0]
    parts = stem.split("/")
    for part in reversed(parts):          # the file name first, then its folders
        unit = index.find_in(part)
        if unit:
            return unit
    return None
