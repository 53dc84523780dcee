"""WPS's per-user publish.xml, edited as text: only Weiwen's entry is added, replaced or removed.

Every other add-in's entry, the declaration, the encoding (a BOM too) and the line endings stay
byte for byte: the file is never parsed and written back whole (a tool that does so loses other
add-ins). It is parsed only to check that it is WPS's list (root <jsplugins>) before and after
the edit; a file that is not is left alone with one Chinese sentence saying which file.

Weiwen's entry is an offline add-in: WPS loads jsaddons/weiwen_<version>/ (ribbon.xml,
index.html, main.js) for <jsplugin name="weiwen" type="et" version="…">.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..errors import WeiwenError
from .places import ADDIN_NAME

ROOT = "jsplugins"
EMPTY = '<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n</jsplugins>\n'
BOM = "\ufeff"


class PublishError(WeiwenError):
    """publish.xml is there but is not WPS's add-in list: it is left as it is."""


def entry(*, version: str, url: str, name: str = ADDIN_NAME, kind: str = "et") -> str:
    """Weiwen's line: an offline add-in for 表格 (type et), enabled, nothing to download."""
    return (f"<jsplugin name={quoteattr(name)} type={quoteattr(kind)} url={quoteattr(url)} "
            f"version={quoteattr(version)} enable=\"enable_dev\" install=\"null\"/>")


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"[ \t]*<(jsplugin(?:online)?)\b[^>]*?\bname\s*=\s*([\"'])"
                      + re.escape(name) + r"\2[^>]*?(?:/>|>.*?</\1\s*>)[ \t]*(?:\r?\n)?", re.S)


def check(text: str, where: Path | str = "publish.xml") -> list[ET.Element]:
    """The entries of a publish.xml text (PublishError when it is not WPS's list)."""
    try:
        root = ET.fromstring(text.removeprefix(BOM).encode("utf-8"))
    except ET.ParseError as exc:
        raise PublishError(f"WPS 的加载项列表 {where} 格式不对（{exc}），没有修改它。"
                           f"请检查或删除该文件后重新运行 weiwen wps install。") from exc
    if root.tag != ROOT:
        raise PublishError(f"{where} 不是 WPS 的加载项列表（根元素是 <{root.tag}>），没有修改它。")
    return list(root)


def ours(text: str, name: str = ADDIN_NAME) -> list[str]:
    """Weiwen's entries in the text, as they are written."""
    return [m.group(0) for m in _pattern(name).finditer(text)]


_Signature = tuple[str, list[tuple[str, str]], list["_Signature"]]


def _signature(element: ET.Element) -> _Signature:
    """An entry as WPS reads it: its tag, attributes and children (not the spaces around it)."""
    return (element.tag, sorted(element.attrib.items()), [_signature(c) for c in element])


def remove(text: str, name: str = ADDIN_NAME, where: Path | str = "publish.xml") -> str:
    """The text without Weiwen's entries; every other character as it was."""
    before = check(text, where)
    result = _pattern(name).sub("", text)
    after = check(result, where)
    others = [e for e in before if e.get("name") != name]
    if [_signature(e) for e in after] != [_signature(e) for e in others]:
        raise PublishError(f"无法只删除 {where} 里走访慰问的一项，没有修改它。")
    return result


def add(text: str | None, line: str, name: str = ADDIN_NAME,
        where: Path | str = "publish.xml") -> str:
    """The text with Weiwen's entry (once, last), others untouched; a new list when `text` is
    None or blank."""
    text = EMPTY if text is None or not text.strip(BOM + " \t\r\n") else text
    text = remove(text, name, where)
    newline = "\r\n" if "\r\n" in text else "\n"
    if re.search(r"<jsplugins\b[^>]*/>", text):              # an empty list written as <jsplugins/>
        text = re.sub(r"<jsplugins\b([^>]*)/>", r"<jsplugins\1>" + newline + "</jsplugins>",
                      text, count=1)
    close = text.rfind("</jsplugins")
    line_start = text.rfind("\n", 0, close) + 1
    if text[line_start:close].strip():                      # the closing tag shares a line
        result = text[:close] + newline + "  " + line + newline + text[close:]
    else:
        result = text[:line_start] + "  " + line + newline + text[line_start:]
    if len(ours(result, name)) != 1:
        raise PublishError(f"无法在 {where} 里加入走访慰问的一项，没有修改它。")
    check(result, where)
    return result


def is_empty(text: str) -> bool:
    """A list with no add-in left (what install created, once Weiwen's entry is gone)."""
    try:
        return not check(text)
    except PublishError:
        return False
