"""The campaign folder: the contract shared by the command line and the buttons.

CAMPAIGN/Weiwen.xlsm (settings + results), inbox/ (returned files), outbox/ (templates to email),
output/ (signature sheets, summary, bank list, audit sample), and the folders beside them
(回收签字/, 照片/, templates/, .backup/). A path inside a campaign (one of those folders, anything
under them, the workbook itself) is recognised: `Campaign.locate` acts on that campaign and says
so; everything else that is not a campaign gets one sentence saying which folder to use.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from . import shipped
from .errors import CampaignError
from .fileio import atomic_write, backup
from .names import (BACKUP_DIR, INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR, PHOTO_DIR, SIGNED_DIR,
                    TEMPLATES_DIR, WORKBOOK_FILE)

SHIPPED_WORKBOOK = shipped.path(f"workbook/{WORKBOOK_FILE}")

#: the folders of a campaign, beside its workbook (a command may be pointed at one by mistake)
PARTS = (INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR, SIGNED_DIR, PHOTO_DIR, TEMPLATES_DIR, BACKUP_DIR)
_PART_NAMES = {p.casefold(): p for p in PARTS}


@dataclass(frozen=True)
class Campaign:
    root: Path

    @property
    def workbook(self) -> Path:
        return self.root / WORKBOOK_FILE

    @property
    def inbox(self) -> Path:
        return self.root / INBOX_DIR

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX_DIR

    @property
    def output(self) -> Path:
        return self.root / OUTPUT_DIR

    @classmethod
    def open(cls, path: Path | str) -> Campaign:
        """The campaign whose folder is `path`, or CampaignError with a one-line Chinese message
        that says which folder to use."""
        root = Path(path).expanduser().resolve()
        if not _is_campaign(root):
            raise CampaignError(_not_a_campaign(Path(path), root))
        campaign = cls(root)
        for folder in (campaign.inbox, campaign.outbox, campaign.output):
            folder.mkdir(exist_ok=True)
        return campaign

    @classmethod
    def locate(cls, path: Path | str) -> tuple[Campaign, str]:
        """The campaign at `path`, or the one `path` lies inside (its inbox/, output/…, anything
        under them, its workbook): then also a sentence saying which campaign is used."""
        root = Path(path).expanduser().resolve()
        inside = enclosing(root)
        if inside is None or inside == root:
            return cls.open(path), ""
        return cls.open(inside), (f"{path} 是活动“{inside.name}”里的{_what(root, inside)}，"
                                  f"已按活动文件夹 {inside} 运行。")


def _is_campaign(folder: Path) -> bool:
    return folder.is_dir() and (folder / WORKBOOK_FILE).is_file()


def enclosing(path: Path | str) -> Path | None:
    """The campaign folder `path` is, or lies inside: the folder itself, its workbook, one of
    its PARTS or anything under them. None when `path` is not in a campaign (a folder beside
    campaigns, or under a campaign but outside its parts, is not)."""
    path = Path(path).expanduser().resolve()
    if _is_campaign(path):
        return path
    for parent in path.parents:
        first = path.relative_to(parent).parts[0]
        if (first.casefold() == WORKBOOK_FILE.casefold() or first.casefold() in _PART_NAMES) \
                and _is_campaign(parent):
            return parent
    return None


def _campaign_above(path: Path) -> Path | None:
    """The nearest campaign folder that holds `path` anywhere below it."""
    return next((parent for parent in path.parents if _is_campaign(parent)), None)


def _what(path: Path, root: Path) -> str:
    relative = path.relative_to(root)
    if len(relative.parts) == 1 and relative.name.casefold() == WORKBOOK_FILE.casefold():
        return f"工作簿 {WORKBOOK_FILE}"
    part = _PART_NAMES.get(relative.parts[0].casefold(), relative.parts[0])
    if len(relative.parts) == 1:
        return f" {part} 文件夹"
    return f" {part} 文件夹中的{'文件' if path.is_file() else '文件夹'} {relative.as_posix()}"


def _campaigns_in(folder: Path, limit: int = 5) -> list[str]:
    try:
        return sorted(c.name for c in folder.iterdir() if _is_campaign(c))[:limit]
    except OSError:
        return []


def _not_a_campaign(given: Path, root: Path) -> str:
    """Why `root` is not a campaign folder, and which folder to use instead."""
    inside = enclosing(root)
    if inside is not None:
        return (f"{given} 是活动“{inside.name}”里的{_what(root, inside)}，不是活动文件夹本身。"
                f"请改用活动文件夹：{inside}")
    above = _campaign_above(root)
    if above is not None:
        return (f"{given} 在活动“{above.name}”的文件夹里，但不是活动文件夹本身。"
                f"请改用活动文件夹：{above}")
    if root.is_file():
        if root.suffix.lower() in (".xlsm", ".xlsx") and not (root.parent / WORKBOOK_FILE).exists():
            return (f"{given} 是一个文件，不是活动文件夹。请指定放工作簿和 inbox 的文件夹；"
                    f"如果这就是改过名的活动工作簿，请把它改名为 {WORKBOOK_FILE}，再对 {root.parent} 运行。")
        return f"{given} 是一个文件，不是活动文件夹。请指定活动文件夹（放 {WORKBOOK_FILE} 和 inbox 的文件夹）。"
    if not root.exists():
        nearby = _campaigns_in(root.parent) if root.parent.is_dir() else []
        hint = (f"{root.parent} 里的活动有：{'、'.join(nearby)}，请检查文件夹名是否写对"
                if nearby else f"新建活动请运行 weiwen init {given}")
        return f"找不到活动文件夹 {root}。{hint}。"
    if root.name.casefold() in _PART_NAMES:
        if _saved_as_xlsx(root.parent):
            return _saved_as_xlsx(root.parent)
        return (f"{root} 像是活动的 {root.name} 文件夹，但上一级 {root.parent} 里没有 {WORKBOOK_FILE}。"
                f"请指定活动文件夹（放 {WORKBOOK_FILE} 的那个文件夹）。")
    inner = _campaigns_in(root)
    if inner:
        return (f"{root} 不是慰问活动文件夹，但里面有活动：{'、'.join(inner)}。"
                f"请指定其中一个，例如 {root / inner[0]}")
    saved_as_xlsx = _saved_as_xlsx(root)
    if saved_as_xlsx:
        return saved_as_xlsx
    renamed = sorted(p.name for p in root.glob("*.xlsm"))[:3]
    if renamed:
        return (f"{root} 里没有 {WORKBOOK_FILE}（有 {'、'.join(renamed)}）。如果那就是活动工作簿，"
                f"请把它改名为 {WORKBOOK_FILE}；新建活动请运行 weiwen init {given}。")
    new = Path(given) / "2027春节慰问" if root == Path.home().resolve() else given
    return (f"{root} 不是慰问活动文件夹（缺少 {WORKBOOK_FILE}）。"
            f"新建活动请运行 weiwen init {new}，或指定正确的活动文件夹。")


def _saved_as_xlsx(root: Path) -> str:
    """The common accident of a campaign whose workbook was saved as Weiwen.xlsx (Excel's default
    “另存为” type): what happened and how to get Weiwen.xlsm back ('' when it is not that). Never
    `weiwen init`: that starts a blank workbook, and the 名册 and settings stay in the .xlsx."""
    stem = Path(WORKBOOK_FILE).stem.casefold()
    xlsx = next((p for p in sorted(root.glob("*.xlsx")) if p.stem.casefold() == stem), None)
    if xlsx is None or not any((root / part).is_dir() for part in (INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR)):
        return ""
    backups = sorted((root / BACKUP_DIR).glob(f"{Path(WORKBOOK_FILE).stem}-*.xlsm"))
    from_backup = (f"把 {backups[-1]} 复制回活动文件夹并改名为 {WORKBOOK_FILE}"
                   if backups else f"从 {root / BACKUP_DIR} 里取最新的一份 {WORKBOOK_FILE} 复制回活动文件夹")
    return (f"{root} 里的活动工作簿被另存成了 {xlsx.name}（.xlsx 格式会去掉“慰问”按钮），所以找不到 {WORKBOOK_FILE}。"
            f"请在 Excel 里打开 {xlsx.name}，“另存为”选“Excel 启用宏的工作簿 (*.xlsm)”，文件名 {WORKBOOK_FILE}"
            f"（保留您在 .xlsx 里的改动）；或{from_backup}（最近一次备份的样子），再运行一次。"
            f"不要运行 weiwen init，那会新建一个空白工作簿。")


def _refuse_a_shared_folder(path: Path | str, root: Path) -> None:
    """A campaign is a folder of its own: not the clerk's home folder, not a folder that already
    holds campaigns (`cd D:\\慰问 && weiwen init .` would put a workbook, inbox and output beside
    them, where every later command would take it for one)."""
    holds = _campaigns_in(root, limit=4) if root.is_dir() else []
    if root == Path.home().resolve() or holds:
        what = (f"已经放着活动（{'、'.join(holds[:3])}{'等' if len(holds) > 3 else ''}）" if holds
                else "是您的个人主文件夹")
        raise CampaignError(f"{path} {what}，不在这里直接建活动。请给新活动一个自己的文件夹，"
                            f"例如 weiwen init {Path(path) / '2027春节慰问'}。")


def init(path: Path | str, *, force: bool = False, workbook: Path = SHIPPED_WORKBOOK) -> Campaign:
    """Create a campaign folder from the shipped workbook; refuse to overwrite one without force,
    and refuse a path inside a campaign or a file (saying which folder to use)."""
    root = Path(path).expanduser().resolve()
    target = root / WORKBOOK_FILE
    inside = enclosing(root)
    above = _campaign_above(root)
    if inside is None and above is not None:
        raise CampaignError(f"{path} 在活动“{above.name}”的文件夹里，不能在活动里面再建活动。"
                            f"请换一个不在 {above} 里的文件夹。")
    if inside is not None and inside != root:
        raise CampaignError(f"{path} 是活动“{inside.name}”里的{_what(root, inside)}，不能在这里新建活动。"
                            f"这个活动已经建好，直接对 {inside} 运行其他命令即可；确需重建它的工作簿，"
                            f"请运行 weiwen init {inside} --force（旧工作簿先备份）。")
    blocker = next((p for p in (root, *root.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise CampaignError(f"{blocker} 是一个文件，不能在这里建文件夹。请指定一个新的活动文件夹名，"
                            f"例如 weiwen init 2027春节慰问。")
    if not target.exists():
        _refuse_a_shared_folder(path, root)
    if target.exists() and not force:
        raise CampaignError(f"{root} 已经是一个慰问活动（已有 {WORKBOOK_FILE}）。"
                            f"如确实要重新创建并覆盖工作簿，请加 --force（旧工作簿会先备份）。")
    if not Path(workbook).is_file():
        raise CampaignError(f"找不到工作簿模板 {workbook}。请运行 python -m weiwen.workbook 重新生成。")
    root.mkdir(parents=True, exist_ok=True)
    if target.exists():
        backup(target, root)
    atomic_write(target, lambda tmp: shutil.copyfile(workbook, tmp))
    campaign = Campaign(root)
    for folder in (campaign.inbox, campaign.outbox, campaign.output):
        folder.mkdir(exist_ok=True)
    return campaign


def unfit_for_demo(path: Path | str) -> str:
    """Why the demo must not go to `path` ('' when it may): the demo replaces the workbook and
    empties inbox/, so never in a real campaign nor in a folder that holds anything."""
    path = Path(path).expanduser()
    inside = enclosing(path) or _campaign_above(path.resolve())
    if inside is not None:
        return (f"{path} 是活动“{inside.name}”（{inside}）或它里面的文件夹。演示会替换工作簿、清空 inbox，"
                f"不能放在真实的活动里。请换一个新的文件夹名，例如 weiwen demo weiwen-demo。")
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        return (f"{path} 已经存在且不是空文件夹。演示会替换工作簿、清空 inbox，请换一个新的文件夹名，"
                f"或不写文件夹（自动新建 weiwen-demo）。")
    return ""
