"""The last merge's checks, kept in CAMPAIGN/.cache/checks for the next merge (checks/reuse.py).

One entry: the memo of the last merge's check, with what it was made under — the settings
sheets as read, the lists of 对照名单 (their rows), the day (ages are counted to it when
参数 has no 活动开始日期) and the version of python-stdnum (its table of region codes) — and
the region codes that check looked up in that table (checks/ids.py: loading it is most of a
small check's time). A merge under anything else checks the whole roster. The store
(intake/cache.py's) keys the entry by the code version too, keeps it behind an HMAC and never
raises: a memo that cannot be read or written only costs speed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import stdnum

from ..checks.coverage import Reference
from ..checks.ids import regions_looked_up, remember_regions
from ..checks.reuse import Checked
from ..intake.cache import CACHE_DIR, Store

CHECKS_DIR = "checks"
_KIND, _KEY = "merge", ("last",)


def context(settings_key: str, references: Sequence[Reference],
            today: dt.date | None = None) -> str:
    """What a check's outcome depends on besides the roster itself, as one digest."""
    digest = hashlib.sha256(f"{settings_key}|{(today or dt.date.today()).isoformat()}|"
                            f"{stdnum.__version__}".encode())
    for reference in references:
        frame = reference.frame
        digest.update(repr((reference.rule, list(frame.columns), list(map(str, frame.dtypes))))
                      .encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


class CheckMemo:
    """The memo of the last merge's check under the settings sheets' digest `settings_key`
    (and the lists and the day: `context`). `save` writes on a thread of its own while the
    merge writes the workbook; `wait` returns once it is written."""

    def __init__(self, campaign_root: Path, settings_key: str) -> None:
        self.store = Store(Path(campaign_root) / CACHE_DIR / CHECKS_DIR)
        self.settings_key = settings_key
        self.context = ""
        self._saving: threading.Thread | None = None

    def load(self, references: Sequence[Reference]) -> Checked | None:
        self.context = context(self.settings_key, references)
        entry = self.store.get(_KIND, _KEY)
        if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == self.context \
                and isinstance(entry[1], Checked):
            remember_regions(entry[2])
            return entry[1]
        return None

    def save(self, checked: Checked | None) -> None:
        """Keep `checked` for the next merge (None: keep nothing new; the last memo still
        holds for the rows it describes)."""
        if checked is None:
            return

        regions = regions_looked_up()

        def put() -> None:
            self.store.put(_KIND, _KEY, (self.context, checked, regions))
            self.store.prune((_KIND,))          # the memo of another code version
        self.wait()
        self._saving = threading.Thread(target=put, name="weiwen-check-memo")
        self._saving.start()

    def wait(self) -> None:
        if self._saving is not None:
            self._saving.join()
            self._saving = None
