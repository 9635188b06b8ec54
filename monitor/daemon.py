"""The daemon: poll due sources, store, enrich, and run the periodic workers.

``poll_cycle`` is the pipeline's single entry point for one round; `monitor
poll --once`, `monitor run`, the demo and the benchmark all call it. Parsing
and extraction run in worker processes so the event loop only waits on the
network and does short database writes.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import random
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable

import sqlite_utils

from classifiers.pipeline import classify_pending
from monitor.config import Config
from monitor.errors import ModelError
from monitor.escalation.engine import process as escalation_process
from monitor.pipeline import SourceOutcome, record
from monitor.sources import fulltext, parse
from monitor.sources.fetch import Fetcher
from monitor.store import open_store, utcnow
from monitor.store.items import index_pending, set_fulltext
from monitor.store.sources import due_sources, next_due, sync_sources

log = logging.getLogger("monitor.daemon")
IDLE_CHECK = 30.0          # seconds between checks for due work when idle
SHUTDOWN_GRACE = 10.0      # seconds in-flight work may take to finish after a stop signal


@dataclass
class Runtime:
    """Everything a cycle needs; built once per process."""

    db: sqlite_utils.Database
    config: Config
    fetcher: Fetcher
    pool: Executor               # parsing and extraction run here, off the event loop
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)


@dataclass
class CycleReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    fulltext_fetched: int = 0
    classified: int = 0
    alerts: int = 0

    @property
    def new_items(self) -> int:
        return sum(len(o.new_ids) for o in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.outcome == "error"]


def worker_pool() -> ProcessPoolExecutor:
    """Processes started fresh (not forked from a process holding threads and sockets)."""
    return ProcessPoolExecutor(max_workers=max(1, multiprocessing.cpu_count()),
                               mp_context=multiprocessing.get_context("forkserver"))


async def poll_cycle(rt: Runtime, on_source: Callable[[SourceOutcome], None] | None = None,
                     everything: bool = False) -> CycleReport:
    """One round: ingest every due source (or every enabled one), then enrich what is new."""
    report = await ingest(rt, on_source, everything)
    await enrich(rt, report)
    return report


async def ingest(rt: Runtime, on_source: Callable[[SourceOutcome], None] | None = None,
                 everything: bool = False) -> CycleReport:
    """Fetch, parse and store: the ingestion spine the polling benchmark measures."""
    report = CycleReport()
    loop = asyncio.get_running_loop()

    async def poll_one(row: dict) -> None:
        result = await rt.fetcher.fetch_feed(row["name"], row["url"], row["etag"], row["last_modified"])
        parsed = None
        if result.ok:
            parsed = await loop.run_in_executor(rt.pool, parse, row["kind"], result.body, result.headers,
                                                row["name"], row["url"])
        outcome = record(rt.db, rt.config, row, result, parsed, rt.clock(), rt.rng)
        report.outcomes.append(outcome)
        if on_source:
            on_source(outcome)

    await asyncio.gather(*(poll_one(row) for row in due_sources(rt.db, rt.clock(), everything)))
    index_pending(rt.db)
    return report


async def enrich(rt: Runtime, report: CycleReport) -> None:
    """Full text, then tags, then stories and alerts, on what ingestion stored."""
    if rt.config.polling.fulltext:
        report.fulltext_fetched = await fetch_fulltext(rt)
    loop = asyncio.get_running_loop()
    report.classified = await loop.run_in_executor(None, classify_stored, database_path(rt.db))
    # Last, on what is classified: stories, hotness, incidents and their alerts (queued in the outbox).
    report.alerts = len(escalation_process(rt.db, rt.config, rt.clock()))


async def fetch_fulltext(rt: Runtime) -> int:
    """Fetch and extract article pages for the newest education items."""
    education_sources = [s.name for s in rt.config.sources if s.is_education_source]
    rows = fulltext.candidates(rt.db, education_sources, rt.config.polling.fulltext_per_cycle)
    loop = asyncio.get_running_loop()

    async def one(row: dict) -> bool:
        result = await rt.fetcher.fetch_page(row["source"], row["url"])
        text, date = "", None
        if result.ok:
            text, date = await loop.run_in_executor(rt.pool, fulltext.extract, result.body, row["url"])
            if not fulltext.adds_to_feed(text, row["title"], row["summary"]):
                text = ""
        # Marked as tried even when it failed, so a broken page is not refetched every cycle.
        set_fulltext(rt.db, row["id"], text, fulltext.published(date), rt.clock())
        return bool(text)

    done = await asyncio.gather(*(one(row) for row in rows))
    return sum(done)


def classify_stored(path: str) -> int:
    """Tag every new or changed item; runs in a thread, on a connection of its own.

    The event loop keeps writing (outbox, acknowledgements) while this runs:
    sharing one connection would let those writes fall inside, or be rolled
    back with, this thread's transactions. Without models, items wait untagged.
    """
    db = open_store(path, migrate=False)
    done = 0
    try:
        while ids := classify_pending(db):
            done += len(ids)
    except ModelError as exc:
        log.error("classification skipped: %s", exc)
    finally:
        db.conn.close()
    return done


def database_path(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2]


Worker = Callable[[Runtime, asyncio.Event], Awaitable[None]]


async def poll_loop(rt: Runtime, stop: asyncio.Event) -> None:
    """Poll whatever is due, then sleep until the next source is due (or a stop)."""
    while not stop.is_set():
        try:
            report = await poll_cycle(rt)
        except Exception:  # a bug in one cycle must not end the daemon
            log.exception("poll cycle failed; retrying after a pause")
            await _sleep_or_stop(stop, IDLE_CHECK)
            continue
        if report.outcomes:
            log.info("cycle: %d sources, %d new items, %d failed", len(report.outcomes), report.new_items,
                     len(report.failed))
        upcoming = next_due(rt.db)
        wait = IDLE_CHECK if upcoming is None else (upcoming - rt.clock()).total_seconds()
        await _sleep_or_stop(stop, min(max(wait, 0.5), IDLE_CHECK))


WORKERS: list[Worker] = [poll_loop]

from monitor.notify.deliver import worker as delivery_worker  # noqa: E402
from monitor.web.app import worker as web_worker  # noqa: E402

WORKERS += [delivery_worker, web_worker]

from monitor.escalation.worker import worker as escalation_worker  # noqa: E402

WORKERS.append(escalation_worker)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


async def run(rt: Runtime, stop: asyncio.Event | None = None) -> None:
    """Run every worker until SIGTERM/SIGINT (or ``stop``), then shut down cleanly.

    Each source's results are written in one transaction, so stopping between
    them never leaves half a source stored; work still in flight after the
    grace period is abandoned and simply picked up on the next start.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    sync_sources(rt.db, rt.config, rt.clock())
    tasks = [asyncio.create_task(worker(rt, stop), name=worker.__name__) for worker in WORKERS]
    await stop.wait()
    log.info("stopping: waiting up to %.0fs for in-flight work", SHUTDOWN_GRACE)
    done, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception():
            log.error("worker %s failed: %s", task.get_name(), task.exception())


def open_runtime(db: sqlite_utils.Database, config: Config, mounts: dict | None = None,
                 clock: Callable[[], datetime] = utcnow) -> Runtime:
    """Build a Runtime; close it with ``close_runtime``."""
    return Runtime(db=db, config=config, fetcher=Fetcher(config.polling, mounts=mounts), pool=worker_pool(),
                   clock=clock)


async def close_runtime(rt: Runtime) -> None:
    await rt.fetcher.client.aclose()
    rt.pool.shutdown(wait=True, cancel_futures=True)
