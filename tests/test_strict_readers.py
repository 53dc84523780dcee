"""Every file Weiwen writes, read by readers we did not write and that forgive nothing: each XML
part through a strict XML parser, each zip entry's local header without ZIP64 (a shape Excel is
not known to accept for small entries), each workbook through openpyxl. calamine, which Weiwen
reads with, forgives a sheet cut short; Excel does not."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from weiwen import pipeline, sheet_splice
from weiwen.names import BACKUP_DIR
from zip_parts import local_headers, unparsable, zip64

WRITTEN = (".xlsx", ".xlsm")


def _ours(root: Path) -> list[Path]:
    """The workbooks in the campaign that Weiwen wrote (not the units' returns in inbox/)."""
    return sorted(p for p in root.rglob("*") if p.suffix in WRITTEN
                  and not {"inbox", BACKUP_DIR, ".cache"} & set(p.relative_to(root).parts))


def _faults(path: Path) -> list[str]:
    return [f"{h.name}: ZIP64 local header" for h in local_headers(path) if zip64(h)] + \
        unparsable(path)


@pytest.mark.slow
def test_every_workbook_written_reads_strictly(demo_campaign, monkeypatch):
    """The demo after `weiwen run`, then a re-merge, 检查 and 计算金额, each writing 名册 with rows
    copied from the sheet it replaces; the old sheet read in short stretches, as a district's
    80 MB are (the demo's 2 MB fit in the first two reads)."""
    monkeypatch.setattr(sheet_splice, "_HEAD", 4096)
    monkeypatch.setattr(sheet_splice, "_BIG", 4096)
    for step in ("merge", "merge", "check", "amounts"):
        pipeline.on_disk(step, demo_campaign)
    files = _ours(demo_campaign.root)
    assert len(files) > 30 and demo_campaign.workbook in files
    faults = {str(f.relative_to(demo_campaign.root)): _faults(f) for f in files}
    assert {name: found for name, found in faults.items() if found} == {}
    for path in files:
        load_workbook(path, read_only=True, keep_vba=path.suffix == ".xlsm").close()
