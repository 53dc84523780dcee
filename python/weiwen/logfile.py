"""The logs a clerk may be asked to send to support (weiwen-*.log in the temp folder).

What goes in is for a developer: steps, exception types, where in the code it happened. What must
not go in is a household's numbers, yet an exception's message can quote a cell ("could not
convert string to float: '13812345678'"), a reader's complaint a row. So every text written here
passes `scrub`: an ID, phone or bank-card number keeps its first three and last four digits.

On Linux the temp folder is shared by every account: a log is created readable by its owner
only, opened without following a link planted under its name, and a log that cannot be opened
(another account's) is skipped — the log is a help, never a reason for a command to fail.
"""
from __future__ import annotations

import io
import logging
import os
import re
from pathlib import Path
from typing import IO

#: a run of digits as personal numbers are typed: 13812345678, 138 1234 5678, 0571-88001234,
#: 6222 0212 3456 7890 123, an ID ending in X; groups of three or more, so that a date or a
#: time (2026-12-03 09:05) is never one
_NUMBER = re.compile(r"(?<![0-9A-Za-z_])\d{3,}(?:[ -]\d{3,})*[Xx]?(?![0-9A-Za-z_])")
#: shorter runs are line numbers, sizes, counts
_PERSONAL = 10
_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) \
    | getattr(os, "O_BINARY", 0)


def scrub(text: str) -> str:
    """`text` with every number long enough to be an ID, phone or card masked: 138****5678."""
    def masked(match: re.Match[str]) -> str:
        number = match.group(0)
        digits = re.sub(r"[ -]", "", number)
        if len(digits) < _PERSONAL:
            return number
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return _NUMBER.sub(masked, text)


def open_log(path: Path) -> IO[bytes]:
    """`path` opened to append bytes, created readable by this account only. Raises OSError."""
    fd = os.open(path, _FLAGS, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)        # a log an older version made readable by all
    except OSError:
        pass
    return os.fdopen(fd, "ab")


def append(path: Path, text: str, *, limit: int | None = None) -> bool:
    """`text`, scrubbed (and cut to `limit` characters), at the end of the log `path`. Whether
    it was written; never raises."""
    text = scrub(text)
    try:
        with open_log(path) as log:
            log.write((text if limit is None else text[:limit]).encode("utf-8", "replace"))
    except OSError:
        return False
    return True


class ScrubbingFormatter(logging.Formatter):
    """A logging formatter whose lines (the exception's traceback included) pass `scrub`."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def handler(path: Path) -> logging.Handler:
    """A handler writing scrubbed lines to the log `path` (created as `open_log` does); when the
    log cannot be opened, one that drops them."""
    try:
        stream = open_log(path)
    except OSError:
        return logging.NullHandler()
    # UTF-8 whatever the locale (a Chinese Windows would write GBK)
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", write_through=True)
    out = logging.StreamHandler(text)
    out.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(message)s"))
    return out
