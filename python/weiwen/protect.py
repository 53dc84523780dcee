"""Password-protect the output files that leave the office by email (`--password`).

Excel's own "Encrypt with Password" (ECMA-376 Agile encryption, AES-256), written with
msoffcrypto-tool: the recipient opens the file in Excel or WPS and types the password; without it
the file is unreadable. Only Office Open XML files (.xlsx/.xlsm/.docx) can be protected this way.
PDFs are left as they are and reported: they are the printed signature sheets, not for email.

Every file is replaced atomically (fileio.atomic_write): a failure leaves the plain file, never a
half-encrypted one.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .fileio import atomic_write

ENCRYPTABLE = {".xlsx", ".xlsm", ".docx", ".pptx"}
MIN_LENGTH = 4
ENV_VAR = "WEIWEN_PASSWORD"


@dataclass
class Protected:
    """What protect_files did: encrypted files, files left plain (with why)."""
    encrypted: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        out = []
        if self.encrypted:
            out.append(f"已加密 {len(self.encrypted)} 个输出文件（打开时需输入密码）。"
                       f"请把密码通过电话或短信告诉收件人，不要与文件放在同一封邮件里。")
        for path, why in self.skipped:
            out.append(f"未加密：{path.name}（{why}）")
        return out


def check_password(password: str) -> str:
    """The password, or ValueError with a Chinese message (too short, blank)."""
    if password is None or len(password.strip()) < MIN_LENGTH:
        raise ValueError(f"密码至少 {MIN_LENGTH} 位，请换一个更长的密码。")
    return password


def is_encrypted(path: Path) -> bool:
    """Whether the file is an encrypted Office file (a password is needed to open it)."""
    import msoffcrypto
    try:
        with open(path, "rb") as f:
            return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except Exception:  # not an Office file at all
        return False


def encrypt_bytes(data: bytes, password: str) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(check_password(password), out)
    return out.getvalue()


def decrypt_bytes(path: Path, password: str) -> bytes:
    """The plain file behind an encrypted one (used by tests and by anyone re-reading outputs)."""
    import msoffcrypto
    out = io.BytesIO()
    with open(path, "rb") as f:
        office = msoffcrypto.OfficeFile(f)
        office.load_key(password=password)
        office.decrypt(out)
    return out.getvalue()


def encrypt_file(path: Path, password: str) -> Path:
    """Encrypt one .xlsx/.xlsm/.docx in place (atomically). Already encrypted: left alone."""
    path = Path(path)
    if path.suffix.lower() not in ENCRYPTABLE:
        raise ValueError(f"{path.name} 不是 Office 文件，无法加密。")
    if is_encrypted(path):
        return path
    data = encrypt_bytes(path.read_bytes(), password)
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def protect_files(paths: Iterable[Path | str], password: str) -> Protected:
    """Encrypt every Office file among `paths`; others are listed as skipped with the reason."""
    check_password(password)
    result = Protected()
    seen: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        if path.suffix.lower() in ENCRYPTABLE:
            encrypt_file(path, password)
            result.encrypted.append(path)
        else:
            result.skipped.append((path, "PDF 等非 Office 文件无法加密，仅供打印，请勿邮寄"
                                   if path.suffix.lower() == ".pdf" else "非 Office 文件无法加密"))
    return result


def protect_outputs(root: Path, outputs: Iterable[str | Path], password: str) -> Protected:
    """Encrypt a command's output files (Report.outputs; relative paths are under `root`).
    A folder among them stands for every file inside it."""
    files: list[Path] = []
    for out in outputs:
        path = Path(out)
        if not path.is_absolute():
            path = Path(root) / path
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))
        else:
            files.append(path)
    return protect_files(files, password)
