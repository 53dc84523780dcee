"""A VBA project's dir, PROJECT and _VBA_PROJECT streams, record by record, next to a reference.

Used by tests/test_vba_structure.py to compare the built Weiwen.xlsm with xlwings' own xlwings.xlam
(an Excel-made project Excel accepts on every clerk's PC), and by hand to print both side by side:

    python tests/vba_records.py [workbook/Weiwen.xlsm] [path/to/xlwings.xlam]

olefile opens the container; oletools decompresses the dir stream and parses it on its own (its
code page, SYSKIND and module types are cross-checked against the walk here). No library exposes
the records in order, so `dir_records` splits the decompressed stream itself: each record is
Id (u16), Size (u32), data ([MS-OVBA] 2.3.4.2); PROJECTVERSION is the one record whose Size field
(always 4) does not count its 6 data bytes. CMG/DPB/GC are de-obfuscated per [MS-OVBA] 2.4.3.3 so
their meaning (protection state, password or none, visibility) is compared, not random bytes.
"""
from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile
from oletools.olevba import VBA_Project, decompress_stream

RECORD_NAMES: dict[int, str] = {
    0x01: "PROJECTSYSKIND", 0x4A: "PROJECTCOMPATVERSION", 0x02: "PROJECTLCID",
    0x14: "PROJECTLCIDINVOKE", 0x03: "PROJECTCODEPAGE", 0x04: "PROJECTNAME",
    0x05: "PROJECTDOCSTRING", 0x40: "PROJECTDOCSTRING.Unicode", 0x06: "PROJECTHELPFILEPATH",
    0x3D: "PROJECTHELPFILEPATH.2", 0x07: "PROJECTHELPCONTEXT", 0x08: "PROJECTLIBFLAGS",
    0x09: "PROJECTVERSION", 0x0C: "PROJECTCONSTANTS", 0x3C: "PROJECTCONSTANTS.Unicode",
    0x16: "REFERENCENAME", 0x3E: "REFERENCENAME.Unicode", 0x33: "REFERENCEORIGINAL",
    0x2F: "REFERENCECONTROL", 0x30: "REFERENCECONTROL.Extended", 0x0D: "REFERENCEREGISTERED",
    0x0E: "REFERENCEPROJECT", 0x0F: "PROJECTMODULES", 0x13: "PROJECTCOOKIE",
    0x19: "MODULENAME", 0x47: "MODULENAMEUNICODE", 0x1A: "MODULESTREAMNAME",
    0x32: "MODULESTREAMNAME.Unicode", 0x1C: "MODULEDOCSTRING", 0x48: "MODULEDOCSTRING.Unicode",
    0x31: "MODULEOFFSET", 0x1E: "MODULEHELPCONTEXT", 0x2C: "MODULECOOKIE",
    0x21: "MODULETYPE.Procedural", 0x22: "MODULETYPE.Document/Class", 0x25: "MODULEREADONLY",
    0x28: "MODULEPRIVATE", 0x2B: "MODULE.Terminator", 0x10: "dir.Terminator",
}
INFORMATION_IDS = {0x01, 0x4A, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09,
                   0x0C, 0x3C}
REFERENCE_IDS = {0x16, 0x3E, 0x33, 0x2F, 0x30, 0x0D, 0x0E}
#: MS-OVBA: cookies "MUST be ignored on read"; window positions are the editor's, not the project's
NOT_COMPARED = ("PROJECTCOOKIE and MODULECOOKIE values (MS-OVBA: ignored data)",
                "[Workspace] window positions (the VBA editor's window layout)")


@dataclass(frozen=True)
class Record:
    id: int
    data: bytes

    @property
    def name(self) -> str:
        return RECORD_NAMES.get(self.id, f"0x{self.id:04X}")


def dir_records(decompressed: bytes) -> list[Record]:
    """The records of a decompressed dir stream, in order, up to and including its terminator."""
    out, at = [], 0
    while at + 6 <= len(decompressed):
        rid, size = struct.unpack_from("<HI", decompressed, at)
        at += 6
        if rid == 0x09:       # PROJECTVERSION: Reserved (=4), VersionMajor u32, VersionMinor u16
            size = 6
        out.append(Record(rid, decompressed[at:at + size]))
        at += size
        if rid == 0x10:
            break
    return out


def decode_protection(hex_text: str) -> bytes:
    """The data of a CMG, DPB or GC value ([MS-OVBA] 2.4.3.3 data encryption, decrypted)."""
    raw = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    unencrypted_1, encrypted_1, encrypted_2 = seed ^ key_enc, key_enc, version_enc
    out = bytearray()
    for byte_enc in raw[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
        out.append(byte)
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", out, ignored)[0]
    return bytes(out[ignored + 4: ignored + 4 + length])


def _protection(key: str, hex_text: str) -> str:
    data = decode_protection(hex_text)
    if key == "CMG":
        state = struct.unpack("<I", data)[0]
        return "not locked" if state == 0 else f"locked (state 0x{state:X})"
    if key == "DPB":
        return "no password" if data[:1] == b"\x00" else "password set"
    return "visible" if data == b"\xff" else f"hidden ({data.hex()})"


@dataclass
class VbaProject:
    """What one vbaProject.bin holds, read by olefile/oletools and the record walk."""
    records: list[Record]
    project_lines: list[str]
    vba_project: bytes
    streams: list[str]
    oletools: dict
    code_names: list[str]       # the workbook's and each sheet's codeName, in sheet order

    # -- facets compared with the reference ----------------------------------------------------
    def facets(self) -> dict[str, str]:
        recs = self.records
        info = [r for r in recs if r.id in INFORMATION_IDS]
        first_ref = next(i for i, r in enumerate(recs) if r.id in REFERENCE_IDS | {0x0F})
        modules = self.modules()
        out: dict[str, str] = {
            "dir.information.order": " ".join(r.name for r in recs[:first_ref]),
            "dir.PROJECTSYSKIND": _syskind(_u32(info, 0x01)),
            "dir.PROJECTCOMPATVERSION": _opt(info, 0x4A, lambda d: str(struct.unpack("<I", d)[0])),
            "dir.PROJECTLCID": f"0x{_u32(info, 0x02):04X}",
            "dir.PROJECTLCIDINVOKE": f"0x{_u32(info, 0x14):04X}",
            "dir.PROJECTCODEPAGE": str(_u16(info, 0x03)),
            "dir.PROJECTNAME": _text(info, 0x04),
            "dir.PROJECTDOCSTRING": repr(_text(info, 0x05)),
            "dir.PROJECTHELPFILEPATH": repr(_text(info, 0x06)),
            "dir.PROJECTHELPCONTEXT": str(_u32(info, 0x07)),
            "dir.PROJECTLIBFLAGS": str(_u32(info, 0x08)),
            "dir.PROJECTVERSION": "{}.{}".format(*struct.unpack("<IH", _one(info, 0x09).data)),
            "dir.PROJECTCONSTANTS": repr(_text(info, 0x0C)),
            "dir.references.order": " ".join(r.name for r in recs if r.id in REFERENCE_IDS),
            "dir.references": "; ".join(self.references()),
            "dir.MODULE.record_order": " | ".join(sorted({
                " ".join(r.name for r in m if r.id not in (0x21, 0x22)) for m in self._module_records()})),
            "dir.modules.document": ", ".join(n for n, t, _ in modules if t == "document"),
            "dir.modules.procedural": ", ".join(n for n, t, _ in modules if t == "procedural"),
            "dir.modules.class": ", ".join(n for n, t, _ in modules if t == "class") or "(none)",
            "dir.modules.source_offset": _offsets(modules),
            "oletools.agrees": str(self._oletools_agrees()),
            "workbook.codeName = document modules": str(self.code_names == [
                n for n, t, _ in modules if t == "document"]),
        }
        out.update(self._project_facets())
        out["_VBA_PROJECT"] = self.vba_project.hex(" ")
        out["streams"] = ", ".join(s for s in self.streams if "/" not in s or s.startswith("VBA/_")
                                   or s == "VBA/dir")
        out["PROJECTwm lists every module"] = str(self._projectwm_ok())
        return out

    def references(self) -> list[str]:
        out, name = [], ""
        for r in self.records:
            if r.id == 0x16:
                name = r.data.decode("latin-1")
            elif r.id == 0x0D:     # SizeOfLibid u32, Libid, Reserved1 u32, Reserved2 u16
                out.append(f"{name} {_libid(r)}")
            elif r.id in (0x2F, 0x0E, 0x33):
                out.append(f"{name} ({RECORD_NAMES[r.id]})")
        return out

    def _module_records(self) -> list[list[Record]]:
        groups, current = [], None
        for r in self.records:
            if r.id == 0x19:
                current = [r]
            elif current is not None:
                current.append(r)
                if r.id == 0x2B:
                    groups.append(current)
                    current = None
        return groups

    def modules(self) -> list[tuple[str, str, int]]:
        """(name, document/class/procedural, text offset) of each MODULE record, in dir order."""
        declared = {}
        for line in self.project_lines:
            key, _, value = line.partition("=")
            if key in ("Document", "Module", "Class", "BaseClass"):
                declared[value.split("/")[0]] = key
        out = []
        for group in self._module_records():
            name = group[0].data.decode("latin-1")
            offset = struct.unpack("<I", next(r for r in group if r.id == 0x31).data)[0]
            typ = next(r.id for r in group if r.id in (0x21, 0x22))
            kind = {"Document": "document", "Module": "procedural", "Class": "class",
                    "BaseClass": "designer"}.get(declared.get(name, ""), "undeclared")
            if (typ == 0x21) != (kind == "procedural"):
                kind = f"{kind}?type 0x{typ:02X}"
            out.append((name, kind, offset))
        return out

    def _project_facets(self) -> dict[str, str]:
        lines = self.project_lines
        body = [ln for ln in lines if ln.partition("=")[0] not in ("Document", "Module", "Class",
                                                                    "BaseClass")]
        workspace_at = lines.index("[Workspace]") if "[Workspace]" in lines else len(lines)
        keys = []
        for ln in body:
            key = ln.partition("=")[0] if "=" in ln and not ln.startswith("&H") else ln
            if lines.index(ln) > workspace_at:
                key = "<module>"
            if not keys or keys[-1] != key or key != "<module>":
                keys.append(key)
        values = dict(ln.split("=", 1) for ln in lines[:lines.index("")] if "=" in ln)
        modules = [n for n, _, _ in self.modules()]
        workspace = [ln.split("=")[0] for ln in lines[workspace_at + 1:] if ln]
        declarations = [ln.partition("=")[2].split("/")[0] for ln in lines
                        if ln.partition("=")[0] in ("Document", "Module", "Class", "BaseClass")]
        host = lines[lines.index("[Host Extender Info]") + 1: workspace_at]
        return {
            "PROJECT.line_order": " ".join(k or "(blank)" for k in keys),
            "PROJECT.ID": values.get("ID", "(none)"),
            "PROJECT.declarations = dir modules": str(sorted(declarations) == sorted(modules)),
            "PROJECT.Document= suffix": ", ".join(sorted({ln.split("/", 1)[1] for ln in lines
                                                          if ln.startswith("Document=")})),
            "PROJECT.Name": values.get("Name", "(none)"),
            "PROJECT.HelpContextID": values.get("HelpContextID", "(none)"),
            "PROJECT.VersionCompatible32": values.get("VersionCompatible32", "(none)"),
            "PROJECT.CMG": _protection("CMG", values["CMG"].strip('"')),
            "PROJECT.DPB": _protection("DPB", values["DPB"].strip('"')),
            "PROJECT.GC": _protection("GC", values["GC"].strip('"')),
            "PROJECT.Host Extender Info": " ".join(ln for ln in host if ln),
            "PROJECT.Workspace = dir modules": str(workspace == modules),
        }

    def _oletools_agrees(self) -> bool:
        ours = (_u32(self.records, 0x01), _u16(self.records, 0x03),
                [(n, 0x21 if t == "procedural" else 0x22) for n, t, _ in self.modules()])
        return ours == (self.oletools["syskind"], self.oletools["codepage"], self.oletools["modules"])

    def _projectwm_ok(self) -> bool:
        names = [n for n, _, _ in self.modules()]
        wm = self.oletools["projectwm"].split(b"\x00\x00\x00")
        return all(n.encode("latin-1") + b"\x00" in self.oletools["projectwm"] for n in names) and \
            bool(wm)


def _libid(rec: Record) -> str:
    """The LibidReference of a REFERENCEREGISTERED record ([MS-OVBA] 2.3.4.2.2.5, 2.1.1.8)."""
    size = struct.unpack_from("<I", rec.data, 0)[0]
    return rec.data[4:4 + size].decode("latin-1")


def _one(records: list[Record], rid: int) -> Record:
    found = [r for r in records if r.id == rid]
    assert len(found) == 1, (rid, found)
    return found[0]


def _u16(records, rid) -> int:
    return struct.unpack("<H", _one(records, rid).data)[0]


def _u32(records, rid) -> int:
    return struct.unpack("<I", _one(records, rid).data)[0]


def _text(records, rid) -> str:
    return _one(records, rid).data.decode("latin-1")


def _opt(records, rid, fmt) -> str:
    found = [r for r in records if r.id == rid]
    return fmt(found[0].data) if found else "(absent)"


def _syskind(value: int) -> str:
    return {0: "0 (16-bit Windows)", 1: "1 (32-bit Windows)", 2: "2 (Macintosh)",
            3: "3 (64-bit Windows)"}.get(value, str(value))


def _offsets(modules) -> str:
    cached = sum(1 for _, _, offset in modules if offset)
    return (f"source only in {len(modules) - cached} of {len(modules)} modules, "
            f"a performance cache before the source in {cached}")


def _code_names(package: zipfile.ZipFile) -> list[str]:
    workbook = package.read("xl/workbook.xml").decode("utf-8")
    names = re.findall(r'<workbookPr\b[^>]*\bcodeName="([^"]*)"', workbook)
    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels)) | {
        i: t for t, i in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    for rid in re.findall(r'<sheet\b[^>]*r:id="([^"]+)"', workbook):
        target = targets[rid].lstrip("/")
        part = target if target.startswith("xl/") else "xl/" + target
        sheet = package.read(part).decode("utf-8")
        names += re.findall(r'<sheetPr\b[^>]*\bcodeName="([^"]*)"', sheet) or ["(none)"]
    return names


def read_project(path: Path | str) -> VbaProject:
    """The VBA project of an .xlsm/.xlam (through its xl/vbaProject.bin)."""
    with zipfile.ZipFile(path) as package:
        binary = package.read("xl/vbaProject.bin")
        code_names = _code_names(package)
    ole = olefile.OleFileIO(io.BytesIO(binary))
    try:
        decompressed = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
        parsed = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
        parsed.parse_project_stream()
        list(parsed.parse_modules())
        facts = {"syskind": parsed.syskind, "codepage": parsed.codepage,
                 "modules": [(m.name, m.type) for m in parsed.modules],
                 "projectwm": ole.openstream("PROJECTwm").read()}
        return VbaProject(
            records=dir_records(decompressed),
            project_lines=ole.openstream("PROJECT").read().decode("cp1252").split("\r\n"),
            vba_project=ole.openstream("VBA/_VBA_PROJECT").read(),
            streams=["/".join(s) for s in ole.listdir()],
            oletools=facts, code_names=code_names)
    finally:
        ole.close()


def differences(ours: VbaProject, reference: VbaProject) -> dict[str, tuple[str, str]]:
    """Facets whose values differ: {facet: (ours, reference)}."""
    a, b = ours.facets(), reference.facets()
    return {k: (a.get(k, "(absent)"), b.get(k, "(absent)")) for k in dict.fromkeys([*a, *b])
            if a.get(k) != b.get(k)}


def side_by_side(ours: VbaProject, reference: VbaProject) -> str:
    """Markdown: both projects' records next to each other, then the compared facets.

    dir records before the modules are paired by kind (a kind one project lacks shows as
    absent); each MODULE record is one row (name, kind, MODULETYPE, MODULEOFFSET), under a row
    with the record layout they share; then the PROJECT stream line by line and _VBA_PROJECT.
    """
    lines = ["| dir record | Weiwen.xlsm | xlwings.xlam |", "|---|---|---|"]
    for name, a, b in _paired(_before_modules(ours), _before_modules(reference)):
        lines.append(f"| {name} | {a} | {b} |")
    layout = [" ".join(r.name for r in m) for p in (ours, reference)
              for m in p._module_records()[:1]]
    lines.append(f"| MODULE (layout) | {layout[0]} | {layout[1]} |")
    mods = [p.modules() for p in (ours, reference)]
    for i in range(max(map(len, mods))):
        cells = [(f"{m[i][0]} — {m[i][1]}, "
                  f"0x{0x21 if m[i][1] == 'procedural' else 0x22:04X}, offset {m[i][2]}")
                 if i < len(m) else "" for m in mods]
        lines.append(f"| MODULE {i + 1} | {cells[0]} | {cells[1]} |")
    lines.append("| dir.Terminator | 0x0010 | 0x0010 |")
    lines += ["", "| PROJECT line | Weiwen.xlsm | xlwings.xlam |", "|---|---|---|"]
    a_lines, b_lines = ours.project_lines, reference.project_lines
    for i in range(max(len(a_lines), len(b_lines))):
        cells = [f"`{p[i]}`" if i < len(p) and p[i] else ("(empty)" if i < len(p) else "")
                 for p in (a_lines, b_lines)]
        lines.append(f"| {i + 1} | {cells[0]} | {cells[1]} |")
    lines += ["", "| stream | Weiwen.xlsm | xlwings.xlam |", "|---|---|---|",
              f"| _VBA_PROJECT | {ours.vba_project.hex(' ')} | {reference.vba_project.hex(' ')} |"]
    lines += ["", "| facet | Weiwen.xlsm | xlwings.xlam | same |", "|---|---|---|---|"]
    a, b = ours.facets(), reference.facets()
    for key in dict.fromkeys([*a, *b]):
        lines.append(f"| {key} | {a.get(key, '')} | {b.get(key, '')} | "
                     f"{'yes' if a.get(key) == b.get(key) else '**no**'} |")
    return "\n".join(lines)


def _before_modules(project: VbaProject) -> list[tuple[str, str]]:
    out = []
    for rec in project.records:
        if rec.id == 0x19:
            break
        out.append((rec.name, _show(rec)))
    return out


def _paired(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Two record sequences side by side, a kind only one side has shown against "(absent)"."""
    out, i, j = [], 0, 0
    while i < len(a) or j < len(b):
        if i < len(a) and j < len(b) and a[i][0] == b[j][0]:
            out.append((a[i][0], a[i][1], b[j][1]))
            i, j = i + 1, j + 1
        elif i < len(a) and a[i][0] not in [name for name, _ in b[j:]]:
            out.append((a[i][0], a[i][1], "(absent)"))
            i += 1
        else:
            out.append((b[j][0], "(absent)", b[j][1]))
            j += 1
    return out


def _show(rec: Record) -> str:
    if rec.id in (0x47, 0x32, 0x3E, 0x40, 0x3C, 0x48):
        return rec.data.decode("utf-16-le").replace("|", "/") or "''"
    if rec.id in (0x19, 0x1A, 0x04, 0x16, 0x05, 0x06, 0x3D, 0x0C, 0x1C):
        return rec.data.decode("latin-1") or "''"
    if rec.id == 0x0D:
        return _libid(rec).replace("|", "/")
    return rec.data.hex() or "-"


def xlwings_addin() -> Path:
    import xlwings
    return Path(xlwings.__file__).parent / "addin" / "xlwings.xlam"


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    ours_path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "workbook" / "Weiwen.xlsm"
    ref_path = Path(sys.argv[2]) if len(sys.argv) > 2 else xlwings_addin()
    print(side_by_side(read_project(ours_path), read_project(ref_path)))
