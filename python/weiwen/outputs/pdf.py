"""PDF of the signature sheets through LibreOffice headless, when it is installed.

`soffice --headless --convert-to pdf` with a private user profile (so it neither collides with a
LibreOffice the clerk has open nor with another conversion running at the same time), all files
in one call, into a temporary folder; each PDF is then moved next to its .xlsx atomically.
Excel's own PDF export (when run from the workbook) is the Excel adapter's business.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from collections.abc import Sequence

TIMEOUT_SECONDS = 600


class PdfUnavailable(RuntimeError):
    """No LibreOffice on this machine, or the conversion failed; str() is a Chinese sentence."""


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    for path in (r"C:\Program Files\LibreOffice\program\soffice.exe",
                 "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if Path(path).is_file():
            return path
    return None


def convert(files: Sequence[Path], outdir: Path, *, soffice: str | None = None,
            timeout: float = TIMEOUT_SECONDS) -> dict[Path, Path]:
    """Convert every file to PDF into `outdir` in one LibreOffice run: {file: its PDF}.
    Input names must differ by stem (LibreOffice names each PDF after its input)."""
    files = [Path(f) for f in files]
    soffice = soffice or find_soffice()
    if not soffice:
        raise PdfUnavailable("本机没有安装 LibreOffice，未生成 PDF；签字表 .xlsx 已生成，可在 Excel/WPS 中直接打印。")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="weiwen-lo-") as tmp:
        profile = Path(tmp) / "profile"
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout,
                           env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
        except (OSError, subprocess.SubprocessError) as exc:
            raise PdfUnavailable(f"LibreOffice 转换 PDF 失败（{exc.__class__.__name__}），"
                                 f"签字表 .xlsx 已生成，可在 Excel/WPS 中直接打印。") from exc
    made = {f: outdir / (f.stem + ".pdf") for f in files}
    missing = [f for f, pdf in made.items() if not pdf.is_file()]
    if missing:
        raise PdfUnavailable(f"LibreOffice 没有生成 {missing[0].stem}.pdf；签字表 .xlsx 已生成。")
    return made


def to_pdf(files: Sequence[Path], *, soffice: str | None = None) -> list[Path]:
    """Convert each .xlsx to a .pdf beside it; returns the PDFs. Raises PdfUnavailable."""
    files = [Path(f) for f in files]
    if not files:
        return []
    with tempfile.TemporaryDirectory(prefix="weiwen-pdf-") as tmp:
        made = convert(files, Path(tmp) / "out", soffice=soffice)
        pdfs = []
        for f in files:
            target = f.with_suffix(".pdf")
            staged = target.with_name(".~tmp-" + target.name)
            shutil.move(str(made[f]), str(staged))
            os.replace(staged, target)
            pdfs.append(target)
        return pdfs
