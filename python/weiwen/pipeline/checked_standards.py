"""Which 标准 the 状态 of 名册 were worked out with: a merge and a check note it, 计算金额 compares.

Why: the checks decide from 标准 which category a household listed under several is paid by (the
highest tier), which rows are 重复 and which categories exist; 计算金额 takes those decisions from
名册 as they are. A clerk who raised a category's 金额 in 标准 and pressed 计算金额 without 检查
(README says to check first) was paid by the old choice — 700 on 残疾户 where 大重病患者 had become
900 — under a 计发依据 saying 按最高档次发放. 计算金额 now refuses until 检查 has seen the new 标准.

What is kept: a digest of 标准 as read (its rows' content, not where they sit in the sheet), in
CAMPAIGN/.cache/; nothing personal. When it is missing or unreadable (the first run of this
version, a cache cleared, a campaign copied without it) nothing is compared.
"""
from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from ..fileio import atomic_write_bytes
from ..intake.cache import CACHE_DIR
from ..settings import Settings

NAME = "checked-standards"


def digest(settings: Settings) -> str:
    """标准's rows as the checks use them; a row moved up or down in the sheet is the same (ties
    between categories go by 优先级 and by the rows of 名册, never by 标准's order)."""
    rows = repr(sorted((dataclasses.replace(s, row=0) for s in settings.standards),
                       key=lambda s: s.category))
    return hashlib.sha256(rows.encode("utf-8")).hexdigest()


def _path(campaign_root: Path) -> Path:
    return Path(campaign_root) / CACHE_DIR / NAME


def remember(campaign_root: Path, settings: Settings) -> None:
    """Note 标准 as this merge or check used it; a folder that cannot be written only loses the
    comparison."""
    try:
        path = _path(campaign_root)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, digest(settings).encode("ascii"))
    except OSError:
        pass


def changed_since_checked(campaign_root: Path, settings: Settings) -> bool:
    """Whether 标准 is not the one the last merge or check worked 名册's 状态 out with (False
    when that is not known)."""
    try:
        kept = _path(campaign_root).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(kept) and kept != digest(settings)
