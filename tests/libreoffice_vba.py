"""LibreOffice headless as an independent VBA implementation: load a workbook, run one macro.

    python tests/libreoffice_vba.py workbook/Weiwen.xlsm      (prints xlwings.conf D1:D2 as JSON)

tests/test_excel_parts.py runs this: LibreOffice loads Weiwen.xlsm with macros allowed, compiles
the VBA project and runs Weiwen.SelfTest, which writes through the VBA object model. It checks the
module is well-formed VBA that a second implementation executes; Excel's own acceptance is what
tests/test_vba_structure.py approaches, by comparing the project with an Excel-made one.

Needs `soffice` and the `uno` module of the system Python (Debian: libreoffice-calc, python3-uno).
When the running Python has no `uno`, the script re-runs itself with /usr/bin/python3.
Standalone on purpose: the system Python does not have the weiwen package installed.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"


def missing() -> str:
    """Why LibreOffice cannot be driven here, for a test's skip reason ('' when it can):
    `soffice`, and the `uno` module in the system Python."""
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode:
        return "the system Python has no uno module: apt-get install python3-uno"
    return ""


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
def office(prepare=None):
    """A private headless LibreOffice (own profile, own pipe); yields its component context.
    `prepare(profile)` may seed the profile (its settings) before LibreOffice starts."""
    profile = Path(tempfile.mkdtemp(prefix="weiwen-lo-"))
    if prepare is not None:
        prepare(profile)
    pipe = f"weiwen_vba_{os.getpid()}"
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    ctx = None
    try:
        ctx = _connect(pipe)
        yield ctx
    finally:
        # Ended on a failure too: `soffice` is a launcher whose soffice.bin child outlives a kill
        # of the launcher alone, so a failed run would leave an office running; its own session
        # lets the whole group go.
        if ctx is not None:
            try:
                ctx.ServiceManager.createInstanceWithContext(
                    "com.sun.star.frame.Desktop", ctx).terminate()
            except Exception:
                pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


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


def with_uno(script: str) -> None:
    """Go on only in a Python that has LibreOffice's `uno`: otherwise run `script` (the caller's
    file) again, with the same arguments, under the system Python and exit with its status."""
    try:
        import uno  # noqa: F401, PLC0415
    except ImportError:
        if Path(sys.executable).resolve() == Path(SYSTEM_PYTHON).resolve():
            raise SystemExit("the 'uno' module is missing: apt-get install python3-uno") from None
        raise SystemExit(subprocess.call([SYSTEM_PYTHON, script, *sys.argv[1:]])) from None


def main() -> None:
    with_uno(__file__)
    if shutil.which("soffice") is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-calc")
    print(json.dumps(selftest(Path(sys.argv[1])), ensure_ascii=False))


if __name__ == "__main__":
    main()
