"""PDF of the signature sheets through LibreOffice headless, when it is installed.

`soffice --headless --convert-to pdf` with a private user profile (so it neither collides with a
LibreOffice the clerk has open nor with another conversion running at the same time), all files
in one call, into a temporary folder; each PDF is then moved next to its .xlsx atomically.
Excel's own PDF export (when run from the workbook) is the Excel adapter's business.

The profile says that Chinese text is Simplified Chinese. The Chinese fonts of Linux desks (Noto
Sans CJK, 思源黑体) hold the mainland, Taiwan, Hong Kong, Japanese and Korean forms of each
character and draw the ones of the text's language; an .xlsx names no language, so LibreOffice
would take the desk's locale, and on a desk set to 繁體中文 or Japanese the signature sheets the
households sign would come out in those forms (与, 低, 困, 系, 类 differ visibly). It also makes
LibreOffice's own choice of Chinese font, where a cell's 宋体 is missing, a Simplified one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from collections.abc import Sequence

TIMEOUT_SECONDS = 600

#: the private profile's settings: Asian text in documents that name no language is zh-CN
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Linguistic/General">\
<prop oor:name="DefaultLocale_CJK" oor:op="fuse"><value>zh-CN</value></prop></item>
</oor:items>
"""


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
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
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
