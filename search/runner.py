"""Running the indexer: the writer lock, the in-process background thread (single-machine
default), the ``search worker`` loop (production), and ``catch_up`` (tests, CLI).

Whoosh allows one writer per index: every runner first takes ``indexer.lock`` in
``SEARCH_INDEX_DIR`` (an advisory ``flock``, released by the OS if the process dies). With several
server processes each starting a background thread, one indexes and the others stand by.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from whoosh.index import Index

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
    """A daemon thread that applies the outbox: woken right after a commit in this process
    (forum signals), and polling every ``poll_seconds`` for commits made elsewhere."""

    def __init__(self, app: Flask, root: Path, *, poll_seconds: float, standby_seconds: float):
        self.app = app
        self.root = root
        self.poll_seconds = poll_seconds
        self.standby_seconds = standby_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.lock = IndexerLock(root)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name="kyoso-search-indexer", daemon=True
            )
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        writer = Writer(self.root, keep_days=self.app.config["SEARCH_OUTBOX_KEEP_DAYS"])
        failures = 0
        try:
            while not self._stop.is_set():
                if not self.lock.acquire():
                    self._stop.wait(self.standby_seconds)
                    continue
                self._wake.clear()
                try:
                    with self.app.app_context():
                        try:
                            writer.catch_up()
                        finally:
                            db.session.remove()
                    failures = 0
                except Exception:
                    failures += 1
                    self.app.logger.exception("search indexer failed; retrying")
                    writer.close()
                    self._stop.wait(min(60.0, self.poll_seconds * 2**failures))
                    continue
                self._wake.wait(self.poll_seconds)
        finally:
            writer.close()
            self.lock.release()


def run_worker(app: Flask, root: Path, *, poll_seconds: float, log=print) -> None:
    """The ``search worker`` loop: wait for the lock, then apply the outbox until interrupted."""
    lock = IndexerLock(root)
    if not lock.acquire():
        log(f"waiting for {root / LOCK_FILE} (another indexer is running)")
        lock.acquire(timeout=None)
    log(f"indexing into {root}")
    writer = Writer(root, keep_days=app.config["SEARCH_OUTBOX_KEEP_DAYS"])
    failures = 0
    try:
        while True:
            try:
                with app.app_context():
                    try:
                        progress = writer.catch_up()
                    finally:
                        db.session.remove()
            except Exception:
                failures += 1
                app.logger.exception("search indexer failed; retrying")
                writer.close()
                time.sleep(min(60.0, poll_seconds * 2**failures))
                continue
            failures = 0
            if progress.applied_rows:
                log(f"applied {progress.applied_rows} rows (last id {progress.last_applied})")
            time.sleep(poll_seconds)
    finally:
        writer.close()
        lock.release()
