"""Generate vbaProject.bin from Weiwen.bas with LibreOffice headless (run only when the .bas changes).

    python python/weiwen/excel_src/make_vba_bin.py
    python python/weiwen/excel_src/make_vba_bin.py --selftest workbook/Weiwen.xlsm   (a check)

LibreOffice's MS-OVBA exporter writes the VBA project; its output differs from run to run, so the
binary is committed together with vbaProject.json (sha256 of the .bas it came from and of the
binary). The workbook build only copies the committed binary and stays byte-for-byte repeatable;
tests/test_excel_parts.py fails when the .bas no longer matches the record.

Needs `soffice` and the `uno` module of the system Python (Debian: libreoffice-calc, python3-uno).
When the running Python has no `uno`, the script re-runs itself with /usr/bin/python3.
Standalone on purpose: the system Python does not have the weiwen package installed.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BAS = HERE / "Weiwen.bas"
BIN = HERE / "vbaProject.bin"
RECORD = HERE / "vbaProject.json"
SYSTEM_PYTHON = "/usr/bin/python3"


def module_parts(bas_text: str) -> tuple[str, str]:
    """(module name, code) of a .bas export: the VB_Name attribute line names the module."""
    lines = bas_text.splitlines()
    name = "Module1"
    code = []
    for line in lines:
        if line.startswith("Attribute VB_Name"):
            name = line.split("=", 1)[1].strip().strip('"')
        elif not line.startswith("Attribute "):
            code.append(line)
    return name, "\n".join(code) + "\n"


def _connect(pipe: str, timeout: float = 60.0):
    import uno  # noqa: PLC0415  (system Python only)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _prop(name: str, value):
    from com.sun.star.beans import PropertyValue  # noqa: PLC0415
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextlib.contextmanager
def office():
    """A private headless LibreOffice (own profile, own pipe); yields its component context."""
    profile = Path(tempfile.mkdtemp(prefix="weiwen-lo-"))
    pipe = f"weiwen_vba_{os.getpid()}"
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ctx = _connect(pipe)
        yield ctx
        try:
            ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx).terminate()
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def export_xlsm(bas_text: str, out: Path) -> str:
    """Write an .xlsm holding the module; return the LibreOffice version string."""
    import uno  # noqa: PLC0415
    from com.sun.star.script import ModuleInfo  # noqa: PLC0415
    name, code = module_parts(bas_text)
    with office() as ctx:
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0,
                                           (_prop("Hidden", True),))
        libs = doc.BasicLibraries
        libs.VBACompatibilityMode = True
        libs.ProjectName = "VBAProject"
        lib = libs.getByName("VBAProject") if libs.hasByName("VBAProject") \
            else libs.createLibrary("VBAProject")
        info = ModuleInfo()
        info.ModuleType = 1  # com.sun.star.script.ModuleType.NORMAL
        lib.insertModuleInfo(name, info)  # the library implements XVBAModuleInfo
        lib.insertByName(name, code)
        doc.storeToURL(uno.systemPathToFileUrl(str(out)),
                       (_prop("FilterName", "Calc MS Excel 2007 VBA XML"),))
        doc.close(True)
        provider = smgr.createInstanceWithContext(
            "com.sun.star.configuration.ConfigurationProvider", ctx)
        about = provider.createInstanceWithArguments(
            "com.sun.star.configuration.ConfigurationAccess",
            (_prop("nodepath", "/org.openoffice.Setup/Product"),))
        return f"{about.ooName} {about.ooSetupVersionAboutBox}"


def selftest(xlsm: Path, macro: str = "Weiwen.SelfTest") -> dict:
    """Open a copy of `xlsm` with macros allowed, run the VBA macro, return xlwings.conf D1:D2.

    An independent VBA implementation compiling and running the module; used by the tests.
    """
    import uno  # noqa: PLC0415
    with tempfile.TemporaryDirectory() as tmp, office() as ctx:
        copy = Path(tmp) / xlsm.name
        shutil.copyfile(xlsm, copy)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(str(copy)), "_blank", 0,
            (_prop("Hidden", True), _prop("MacroExecutionMode", 4)))
        try:
            script = doc.getScriptProvider().getScript(
                f"vnd.sun.star.script:VBAProject.{macro}?language=Basic&location=document")
            script.invoke((), (), ())
            sheet = doc.Sheets.getByName("xlwings.conf")
            return {"D1": sheet.getCellRangeByName("D1").String,
                    "D2": sheet.getCellRangeByName("D2").String,
                    "modules": list(doc.BasicLibraries.getByName("VBAProject").ElementNames)}
        finally:
            doc.close(True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def generate() -> None:
    bas = BAS.read_bytes()
    try:
        bas.decode("ascii")
    except UnicodeDecodeError as exc:
        raise SystemExit(f"{BAS.name} must be ASCII (Chinese text as \\uXXXX): {exc}")
    with tempfile.TemporaryDirectory() as tmp:
        xlsm = Path(tmp) / "vba.xlsm"
        version = export_xlsm(bas.decode("ascii"), xlsm)
        with zipfile.ZipFile(xlsm) as z:
            binary = z.read("xl/vbaProject.bin")
    BIN.write_bytes(binary)
    RECORD.write_text(json.dumps({
        "source": BAS.name,
        "source_sha256": sha256(bas),
        "bin_sha256": sha256(binary),
        "generator": f"{version}, filter 'Calc MS Excel 2007 VBA XML' (make_vba_bin.py)",
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {BIN} ({len(binary)} bytes) and {RECORD.name}")


def main() -> None:
    try:
        import uno  # noqa: F401, PLC0415
    except ImportError:
        if Path(sys.executable).resolve() == Path(SYSTEM_PYTHON).resolve():
            raise SystemExit("the 'uno' module is missing: apt-get install python3-uno")
        raise SystemExit(subprocess.call([SYSTEM_PYTHON, __file__, *sys.argv[1:]]))
    if shutil.which("soffice") is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-calc")
    if sys.argv[1:2] == ["--selftest"]:
        print(json.dumps(selftest(Path(sys.argv[2])), ensure_ascii=False))
    else:
        generate()


if __name__ == "__main__":
    main()
