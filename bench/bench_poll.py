"""Polling benchmark: 2,000 feeds x 20 items from a local server, our pipeline against the naive loop.

    .venv/bin/python bench/bench_poll.py            # full run, about 2 minutes
    .venv/bin/python bench/bench_poll.py --feeds 200 --skip-naive   # a quick look
    .venv/bin/python bench/bench_poll.py --profile  # where our first cycle spends its time

Not a test: it prints figures. One feed server (bench/feedserver.py, its own
process) serves every contender; each contender runs in a fresh process of
its own against a fresh temporary database, so memory figures are its own.

* ours: ``monitor.daemon.ingest`` (the fetch-parse-store half of ``poll_cycle``) over all sources, the daemon's real path
  (shared httpx client, conditional GET, parsing in worker processes,
  ``pipeline.record`` storing into the real schema with its search index);
* naive: sequential ``feedparser.parse(url)`` per feed (no ETag/Last-Modified, so
  every cycle downloads and parses every feed again), one INSERT per item,
  each committed on its own (what ``table.insert(row)`` in sqlite-utils does),
  into a one-table SQLite database with default settings. This is the loop
  the issue times at about 57 s: its figure is about 20 s of parsing plus
  40,000 commits at about 0.7 ms each on this disk;
* naive, commit per feed: the same loop with one commit per feed, the
  stronger baseline (shown so the ratio is not read off a strawman);
* httpx only: the same 2,000 conditional GETs, bodies read and dropped; the
  floor for network work in one Python process.

Cycle 1: every feed is new (40,000 items). Then the server changes 5% of the
feeds (two new items each) and cycle 2 runs: 95% answer 304.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


# --- memory: peak RSS of this process and everything it starts -------------------
def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    return pids


def _status(pid: int, field: str) -> int:
    """A kB figure from /proc/<pid>/status (VmRSS, VmHWM); 0 when gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_cpu() -> float:
    """CPU seconds (user + system) used so far by this process and its live descendants."""
    ticks = 0
    for pid in _tree(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


class MemorySampler:
    """Samples the summed RSS of this process tree every 50 ms; keeps the peak (Linux /proc)."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak_kb, self.hwm_kb = interval, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        pids = _tree(os.getpid())
        self.peak_kb = max(self.peak_kb, sum(_status(p, "VmRSS") for p in pids))
        for pid in pids:  # per-process high-water marks, kept after a worker exits
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), _status(pid, "VmHWM"))

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sample()
        self._stop.set()
        self._thread.join()


# --- the server ----------------------------------------------------------------------
class FeedServer:
    def __init__(self, feeds: int, items: int):
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "feedserver.py"), "--feeds", str(feeds), "--items", str(items)],
            stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            self.process.kill()
            raise SystemExit("the feed server did not start")
        self.port = int(line.split()[1])   # contenders reach it through Remote

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def feed_url(port: int, number: int) -> str:
    return f"http://127.0.0.1:{port}/feeds/{number}.rss"


# --- contenders (each runs in its own process: `bench_poll.py --contender NAME`) ------
def config_text(port: int, feeds: int, concurrency: int) -> str:
    lines = ['[office]', 'name = "Benchmark"', 'province_code = 25', '', '[polling]',
             f'max_concurrency = {concurrency}', f'per_host = {min(concurrency, 64)}', 'timeout = "60s"',
             'fulltext = false', 'allow_private = true']
    for number in range(feeds):
        lines += ['', '[[sources]]', f'name = "feed-{number:04d}"', f'url = "{feed_url(port, number)}"']
    return "\n".join(lines) + "\n"


def run_ours(port: int, feeds: int, concurrency: int, workdir: Path, server: "Remote") -> dict:
    from monitor.config import parse_config
    from monitor.daemon import close_runtime, ingest, open_runtime
    from monitor.store import open_store, utcnow
    from monitor.store.sources import sync_sources

    config = parse_config(config_text(port, feeds, concurrency))
    db = open_store(workdir / "ours.db")
    sync_sources(db, config, utcnow())
    out = {}

    async def main() -> None:
        rt = open_runtime(db, config)
        try:
            for cycle in (1, 2):
                if cycle == 2:
                    server.call("/_advance")
                started, cpu, main_cpu = time.perf_counter(), tree_cpu(), time.process_time()
                report = await ingest(rt, everything=True)
                out[f"cycle{cycle}"] = _summary(time.perf_counter() - started, tree_cpu() - cpu, report.new_items,
                                                [o.outcome for o in report.outcomes], server.stats())
                # The event-loop process alone (fetching, storing), apart from the parser workers.
                out[f"cycle{cycle}"]["main_cpu_seconds"] = round(time.process_time() - main_cpu, 2)
                out[f"cycle{cycle}"]["stored"] = db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        finally:
            await close_runtime(rt)

    asyncio.run(main())
    return out


def run_naive(port: int, feeds: int, workdir: Path, server: "Remote", commit_each_item: bool) -> dict:
    import feedparser

    conn = sqlite3.connect(workdir / "naive.db")
    conn.execute("""CREATE TABLE items (id INTEGER PRIMARY KEY, feed TEXT, guid TEXT UNIQUE, url TEXT,
                    title TEXT, summary TEXT, published TEXT)""")
    out = {}
    for cycle in (1, 2):
        if cycle == 2:
            server.call("/_advance")
        started, cpu, new, outcomes = time.perf_counter(), tree_cpu(), 0, []
        for number in range(feeds):
            # The naive way: no validators, so every cycle downloads and parses every feed again.
            parsed = feedparser.parse(feed_url(port, number))
            outcomes.append("not_modified" if parsed.get("status") == 304 else "ok")
            for entry in parsed.entries:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO items (feed, guid, url, title, summary, published) VALUES (?, ?, ?, ?, ?, ?)",
                    [str(number), entry.get("id"), entry.get("link"), entry.get("title"), entry.get("summary"),
                     entry.get("published")])
                new += cursor.rowcount
                if commit_each_item:
                    conn.commit()
            conn.commit()
        out[f"cycle{cycle}"] = _summary(time.perf_counter() - started, tree_cpu() - cpu, new, outcomes,
                                        server.stats())
        out[f"cycle{cycle}"]["stored"] = conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    return out


def run_httpx(port: int, feeds: int, concurrency: int, server: "Remote") -> dict:
    import httpx

    validators: dict[int, dict] = {}
    out = {}

    async def main() -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            gate = asyncio.Semaphore(concurrency)

            async def one(number: int) -> str:
                async with gate:
                    response = await client.get(feed_url(port, number), headers=validators.get(number, {}))
                    if response.status_code == 200:
                        validators[number] = {"If-None-Match": response.headers["etag"]}
                        return "ok"
                    return "not_modified"

            for cycle in (1, 2):
                if cycle == 2:
                    server.call("/_advance")
                started, cpu = time.perf_counter(), tree_cpu()
                outcomes = await asyncio.gather(*(one(n) for n in range(feeds)))
                out[f"cycle{cycle}"] = _summary(time.perf_counter() - started, tree_cpu() - cpu, 0, outcomes,
                                                server.stats())

    asyncio.run(main())
    return out


def _summary(seconds: float, cpu: float, new: int, outcomes: list[str], served: dict) -> dict:
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "new_items": new, "ok": outcomes.count("ok"),
            "not_modified": outcomes.count("not_modified"), "errors": outcomes.count("error"),
            "served_304": served.get("304", 0)}


class Remote:
    """The server as seen from a contender process."""

    def __init__(self, port: int):
        self.port = port

    def call(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as response:
            return response.read().decode()

    def stats(self) -> dict:
        return json.loads(self.call("/_stats"))


def contender_main(args) -> None:
    server = Remote(args.port)
    server.call("/_reset")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, MemorySampler() as memory:
        if args.contender == "ours":
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.enable()
                result = run_ours(args.port, args.feeds, args.concurrency, Path(tmp), server)
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
            else:
                result = run_ours(args.port, args.feeds, args.concurrency, Path(tmp), server)
        elif args.contender in ("naive", "naive-feed"):
            result = run_naive(args.port, args.feeds, Path(tmp), server, commit_each_item=args.contender == "naive")
        else:
            result = run_httpx(args.port, args.feeds, args.concurrency, server)
    result["peak_rss_mb"] = round(memory.peak_kb / 1024, 1)
    result["processes"] = len(memory.hwm_kb)
    result["main_hwm_mb"] = round(memory.hwm_kb.get(os.getpid(), 0) / 1024, 1)
    print(json.dumps(result))


# --- the report ------------------------------------------------------------------------
def run_contender(name: str, port: int, args) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--contender", name, "--port", str(port),
               "--feeds", str(args.feeds), "--concurrency", str(args.concurrency)]
    if args.profile:
        command.append("--profile")
    print(f"running {name} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results: dict, args, feed_bytes: float) -> None:
    items = args.feeds * args.items
    print(f"\n{args.feeds} feeds x {args.items} items ({feed_bytes / 1024:.1f} KB a feed on average, served "
          f"gzip-compressed from a separate process), {args.concurrency} requests in flight, {os.cpu_count()} CPUs, "
          f"load average before the run {results['load_before']:.1f}\n")
    header = f"{'':23} {'cycle 1 (s)':>11} {'CPU (s)':>8} {'items/s':>8} {'cycle 2 (s)':>11} {'CPU (s)':>8} " \
             f"{'304s':>5} {'new':>4} {'stored':>7} {'peak RSS (MB)':>14}"
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        if not isinstance(result, dict):
            continue
        one, two = result["cycle1"], result["cycle2"]
        rate = f"{items / one['seconds']:.0f}" if name != "httpx only" else "-"
        print(f"{name:23} {one['seconds']:>11.2f} {one['cpu_seconds']:>8.1f} {rate:>8} {two['seconds']:>11.2f} "
              f"{two['cpu_seconds']:>8.1f} {two['not_modified']:>5} {two['new_items']:>4} {two.get('stored', '-'):>7} "
              f"{result['peak_rss_mb']:>14.1f}")
    for baseline in ("naive", "naive, commit per feed"):
        if "ours" not in results or baseline not in results:
            continue
        ours, naive = results["ours"], results[baseline]
        print(f"\nours vs {baseline}: cycle 1 {naive['cycle1']['seconds'] / ours['cycle1']['seconds']:.1f}x faster, "
              f"cycle 2 {naive['cycle2']['seconds'] / ours['cycle2']['seconds']:.1f}x faster (wall time); "
              f"CPU time {naive['cycle1']['cpu_seconds'] / ours['cycle1']['cpu_seconds']:.1f}x and "
              f"{naive['cycle2']['cpu_seconds'] / ours['cycle2']['cpu_seconds']:.1f}x")
    print("\n" + json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description="Polling benchmark (see the module docstring).")
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow naive baseline")
    parser.add_argument("--profile", action="store_true", help="cProfile our run (printed to stderr)")
    parser.add_argument("--contender", choices=("ours", "naive", "naive-feed", "httpx"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.contender:
        return contender_main(args)

    sys.path.insert(0, str(HERE))
    from corpus import feed_document

    feed_bytes = sum(len(feed_document(n, args.items)) for n in range(0, args.feeds, 10)) / len(range(0, args.feeds, 10))
    load_before = os.getloadavg()[0]
    server = FeedServer(args.feeds, args.items)
    try:
        results = {"load_before": load_before, "ours": run_contender("ours", server.port, args)}
        if args.profile:
            return
        if not args.skip_naive:
            results["naive"] = run_contender("naive", server.port, args)
            results["naive, commit per feed"] = run_contender("naive-feed", server.port, args)
        results["httpx only"] = run_contender("httpx", server.port, args)
    finally:
        server.close()
    report(results, args, feed_bytes)


if __name__ == "__main__":
    main()
