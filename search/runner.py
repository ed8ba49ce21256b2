"""Running the indexer: the writer lock, the in-process background thread (single-machine
default), the ``search worker`` loop (production), and ``catch_up`` (tests, CLI).

Whoosh allows one writer per index: every runner first takes ``indexer.lock`` in
``SEARCH_INDEX_DIR`` (an advisory ``flock``, released by the OS if the process dies). With several
server processes each starting a background thread, one indexes and the others stand by.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from whoosh.index import Index

from core.background import BackgroundLoop
from core.extensions import db
from core.types import utcnow
from search import indexer, outbox, store

LOCK_FILE = "indexer.lock"


class IndexerLock:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, timeout: float | None = 0.0) -> bool:
        """Take the lock; wait up to ``timeout`` seconds (None: forever)."""
        if self._fd is not None:
            return True
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.1)
                continue
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Writer:
    """The lock holder's view of the current index; follows a swap made by ``search rebuild``,
    and now and then deletes outbox rows older than ``keep_days`` that it has applied."""

    PRUNE_EVERY = 600.0

    def __init__(self, root: Path, *, keep_days: float = 7.0) -> None:
        self.root = root
        self.keep_days = keep_days
        self._path: Path | None = None
        self._ix: Index | None = None
        self._pruned_at = time.monotonic()

    def catch_up(self) -> indexer.Progress:
        path = store.current_path(self.root)
        if self._ix is None or path != self._path:
            self.close()
            self._path, self._ix = indexer.ensure_index(self.root)
        progress = indexer.apply_pending(self._path, self._ix)
        if time.monotonic() - self._pruned_at > self.PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            self.prune()
        return progress

    def prune(self) -> int:
        state = store.read_state(self._path)
        keep_after = min([state.last_applied, *(g - 1 for g in state.gaps)])
        before = utcnow() - timedelta(days=self.keep_days)
        count = outbox.prune(before=before, keep_after=keep_after)
        db.session.commit()
        return count

    def close(self) -> None:
        if self._ix is not None:
            self._ix.close()
        self._path = self._ix = None


def catch_up(root: Path, *, timeout: float = 30.0) -> indexer.Progress:
    """Apply every pending outbox row now, in this thread (waits for the writer lock)."""
    lock = IndexerLock(root)
    if not lock.acquire(timeout=timeout):
        raise TimeoutError(f"another indexer holds {root / LOCK_FILE}")
    writer = Writer(root, keep_days=current_app.config["SEARCH_OUTBOX_KEEP_DAYS"])
    try:
        return writer.catch_up()
    finally:
        writer.close()
        lock.release()


class BackgroundIndexer:
    """The indexer as a :class:`BackgroundLoop`: woken right after a commit in this process
    (domain events), polling every ``poll_seconds`` for commits made elsewhere; while another
    process holds the writer lock it stands by, trying again every ``standby_seconds``."""

    def __init__(self, app: Flask, root: Path, *, poll_seconds: float, standby_seconds: float):
        self.root = root
        self.standby_seconds = standby_seconds
        self.lock = IndexerLock(root)
        self.writer = Writer(root, keep_days=app.config["SEARCH_OUTBOX_KEEP_DAYS"])
        self.loop = BackgroundLoop(
            "kyoso-search-indexer", self._step, app=app, poll_seconds=poll_seconds,
            on_error=self.writer.close, on_exit=self._exit,
        )  # fmt: skip
        self.start, self.wake, self.stop = self.loop.start, self.loop.wake, self.loop.stop

    @property
    def running(self) -> bool:
        return self.loop.running

    def _step(self) -> float | None:
        if not self.lock.acquire():
            return self.standby_seconds
        self.writer.catch_up()
        return None

    def _exit(self) -> None:
        self.writer.close()
        self.lock.release()


def run_worker(app: Flask, root: Path, *, poll_seconds: float, log=print) -> None:
    """The ``search worker`` loop: wait for the lock, then apply the outbox until interrupted
    (errors are logged and retried with backoff)."""
    lock = IndexerLock(root)
    if not lock.acquire():
        log(f"waiting for {root / LOCK_FILE} (another indexer is running)")
        lock.acquire(timeout=None)
    log(f"indexing into {root}")
    writer = Writer(root, keep_days=app.config["SEARCH_OUTBOX_KEEP_DAYS"])

    def step() -> None:
        progress = writer.catch_up()
        if progress.applied_rows:
            log(f"applied {progress.applied_rows} rows (last id {progress.last_applied})")

    def exit_() -> None:
        writer.close()
        lock.release()

    BackgroundLoop("search worker", step, app=app, poll_seconds=poll_seconds,
                   on_error=writer.close, on_exit=exit_).run()  # fmt: skip
