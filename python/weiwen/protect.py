"""Password-protect the output files that leave the office by email (`--password`).

Excel's own "Encrypt with Password" (ECMA-376 Agile encryption, AES-256), written with
msoffcrypto-tool: the recipient opens the file in Excel or WPS and types the password; without it
the file is unreadable. Only Office Open XML files (.xlsx/.xlsm/.docx) can be protected this way.
PDFs are left as they are and reported: they are the printed signature sheets, not for email.

The encrypted files are copies in output/加密发送/ (same sub-folders and names): the files in
output/ stay plain because the tool reads some of them back (抽查名单.xlsx once the call-backs
are filled in) and the clerk prints from them. The clerk attaches the copies to emails.

Every file is replaced atomically (fileio.atomic_write): a failure leaves the plain file, never a
half-encrypted one.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable

from .fileio import atomic_write_bytes
from .names import OUTPUT_DIR

ENCRYPTABLE = {".xlsx", ".xlsm", ".docx", ".pptx"}
MIN_LENGTH = 4
ENV_VAR = "WEIWEN_PASSWORD"
#: under output/: the encrypted copies to email
ENCRYPTED_DIR = "加密发送"


@dataclass
class Protected:
    """What protect_files did: encrypted files, files left plain (with why)."""
    encrypted: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    folder: Path | None = None     # where the encrypted copies are (protect_outputs)

    def notes(self) -> list[str]:
        out = []
        if self.encrypted:
            where = self.folder or self.encrypted[0].parent
            out.append(f"已把 {len(self.encrypted)} 个输出文件加密复制到 {where}（打开时需输入密码），"
                       f"邮寄时请附这些文件；密码请通过电话或短信告诉收件人，不要与文件放在同一封邮件里。")
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
    return atomic_write_bytes(path, data)


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


def encrypt_copy(source: Path, target: Path, password: str) -> Path:
    """An encrypted copy of `source` at `target` (atomically); the source is not changed."""
    data = encrypt_bytes(Path(source).read_bytes(), password)
    return atomic_write_bytes(Path(target), data)


def protect_outputs(root: Path, outputs: Iterable[str | Path], password: str) -> Protected:
    """Encrypted copies of a command's Office output files (Report.outputs; relative paths are
    under `root`; a folder stands for every file in it) in output/加密发送/, replacing the copies
    of the previous run. Files outside output/ are copied under their own name."""
    check_password(password)
    output = Path(root) / OUTPUT_DIR
    target_dir = output / ENCRYPTED_DIR
    files: list[Path] = []
    for out in outputs:
        path = Path(out)
        if not path.is_absolute():
            path = Path(root) / path
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
    result = Protected(folder=target_dir)
    seen: set[Path] = set()
    for path in files:
        if path in seen or path.name.startswith((".", "~$")) or target_dir in path.parents:
            continue
        seen.add(path)
        if path.suffix.lower() not in ENCRYPTABLE:
            result.skipped.append((path, "PDF 等非 Office 文件无法加密，仅供打印，请勿邮寄"
                                   if path.suffix.lower() == ".pdf" else "非 Office 文件无法加密"))
            continue
        rel = path.relative_to(output) if output in path.parents else Path(path.name)
        result.encrypted.append(encrypt_copy(path, target_dir / rel, password))
    return result
