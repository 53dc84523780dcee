"""Large zip entries deflated, or inflated, on a second thread while this one makes or uses their bytes.

Why: every write of the campaign workbook streams 名册 (~80 MB of XML for 100,000 households)
through zlib, and the machine has two cores. zlib releases the GIL while it compresses,
decompresses or CRCs a large buffer. On a second thread that work runs on the other core,
beside the Python code that makes the rows, and no longer adds to the clerk's wait.
write() gets the same bytes in the same order, so the entry is byte for byte what one
thread writes, deflate stream included. At most a few pieces wait between the two
threads (a bounded queue), so memory does not grow with the sheet. An error on either
thread is raised in the caller's, and only once the second thread has ended, so the
caller's atomic write (fileio.atomic_write) drops the half-written file as before.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

#: pieces waiting between the two threads, besides the one each thread holds. With
#: 2 MB pieces a write of a 100,000-row 名册 peaks ~10 MB higher than on one thread; more
#: pieces, or larger ones, used more memory without being faster
IN_FLIGHT = 1
#: bytes handed to the writer at once. After each zlib call the writer waits for the GIL
#: (up to sys.getswitchinterval(), 5 ms) while this thread runs Python, so it gets fewer,
#: larger pieces (1 MB ones made the full 名册 write ~10 % slower). zipfile's write() never
#: flushes the compressor, so deflate's output does not depend on how its input is cut.
GROUP = 2 << 20
#: the threads' names (tests look for them after an error)
WRITER, READER = "weiwen-zip-writer", "weiwen-zip-reader"


def write_all(out: IO[bytes], chunks: Iterable[bytes]) -> None:
    """Every chunk written to `out`, in order, on a writer thread, consecutive chunks joined
    into pieces of about GROUP bytes. For a zip entry opened with
    `ZipFile.open(name, "w")`, that thread does the deflate and the CRC. Returns once
    everything is written; raises what the chunks' producer or `write` raised, and the
    thread has ended either way."""
    waiting: queue.Queue[bytes | None] = queue.Queue(IN_FLIGHT)     # None: no more chunks
    failed: list[BaseException] = []

    def drain() -> None:
        try:
            while (chunk := waiting.get()) is not None:
                out.write(chunk)
        except BaseException as exc:                  # raised again in the caller's thread
            failed.append(exc)
            while waiting.get() is not None:          # the producer never blocks on a dead writer
                pass

    writer = threading.Thread(target=drain, name=WRITER, daemon=True)
    writer.start()
    try:
        piece: list[bytes] = []
        size = 0
        for chunk in chunks:
            if failed:
                break
            piece.append(chunk)
            size += len(chunk)
            if size >= GROUP:
                waiting.put(b"".join(piece))
                piece, size = [], 0
        if piece and not failed:
            waiting.put(b"".join(piece))
    finally:
        waiting.put(None)
        writer.join()
    if failed:
        raise failed[0]


@contextmanager
def read_ahead(part: IO[bytes], size: int) -> Iterator[Iterator[bytes]]:
    """The chunks of `part.read(size)` until it is exhausted. A reader thread reads (for a zip
    entry: inflates and CRCs) the next chunks while the caller uses this one. The thread ends
    when the block ends, even if the chunks were not all taken. A read error is raised at the
    chunk where it happened."""
    waiting: queue.Queue[bytes | BaseException] = queue.Queue(IN_FLIGHT)   # b"": the end
    stop = threading.Event()

    def fill() -> None:
        try:
            while not stop.is_set():
                chunk = part.read(size)
                waiting.put(chunk)
                if not chunk:
                    return
        except BaseException as exc:                  # raised again in the caller's thread
            waiting.put(exc)

    def chunks() -> Iterator[bytes]:
        while item := waiting.get():
            if isinstance(item, BaseException):
                raise item
            yield item

    reader = threading.Thread(target=fill, name=READER, daemon=True)
    reader.start()
    try:
        yield chunks()
    finally:
        stop.set()
        while reader.is_alive():                      # free a reader blocked on a full queue
            try:
                waiting.get(timeout=0.01)
            except queue.Empty:
                pass
        reader.join()
