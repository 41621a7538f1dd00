"""Load and fault benchmark: sustained runtime traffic with realistic polling, then a burst past the queue.

Starts `customner serve --demo` on a fresh data folder (the demo project trains once, about a minute), then:

1. sustained phases: single-document and 25-document GA jobs submitted at a fixed rate (1,000 a minute by
   default, Azure's S-tier prediction rate) for ``--minutes``; every job is polled until it ends, sleeping the
   ``Retry-After`` the server sends (a submission answered 429 is retried after its ``Retry-After``);
2. a burst of ``--burst`` simultaneous submissions: the server must answer every one 202 or 429, nothing else;
3. /health latency while a Studio "Test model" of 100,000 characters runs (the event loop must stay free).

It prints throughput, p50/p95/p99 submit-to-result latency, answers by status, and the server's resident
memory before and after. Run it on a quiet machine (no test suite or training sharing the cores):

    python benchmarks/load.py                  # 5 minutes per phase
    python benchmarks/load.py --minutes 1      # a shorter look
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

KEY = "load-benchmark-key"
JOBS = "/language/analyze-text/jobs"
VERSION = {"api-version": "2023-04-01"}
TASK = [{"kind": "CustomEntityRecognition", "taskName": "ner",
         "parameters": {"projectName": "MyProject", "deploymentName": "MyDeploymentName"}}]
SENTENCES = ["Book a table for two at Government in Seattle on Friday.",
             "David Schmidt is performing at Chez Marie tonight.",
             "Play Nina Simone at Casa Lupita in Austin next Tuesday.",
             "Is there a cheap sushi place near Portland open after midnight?"]
console = Console()


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CUSTOMNER_API_KEY=KEY)
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen([sys.executable, "-m", "customner", "serve", "--demo", "--port", str(port),
                                "--data-dir", str(data_dir)], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.5)
    raise RuntimeError(f"server did not start; see {data_dir / 'server.log'}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    documents: int = 0
    wall: float = 0.0
    failed_jobs: int = 0


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def one_job(client: httpx.AsyncClient, phase: Phase, documents: int, index: int) -> None:
    body = {"analysisInput": {"documents": [{"id": str(i), "text": SENTENCES[(index + i) % len(SENTENCES)]}
                                            for i in range(documents)]}, "tasks": TASK}
    started = time.perf_counter()
    while True:
        response = await client.post(JOBS, params=VERSION, json=body)
        phase.answers[response.status_code] += 1
        if response.status_code != 429:
            break
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
    if response.status_code != 202:
        return
    location = response.headers["operation-location"]
    while True:
        polled = await client.get(location)
        phase.answers[polled.status_code] += 1
        status = polled.json().get("status") if polled.status_code == 200 else None
        if status in ("succeeded", "failed", "cancelled", "partiallyCompleted"):
            phase.latencies.append(time.perf_counter() - started)
            phase.documents += documents
            phase.failed_jobs += status != "succeeded"
            return
        await asyncio.sleep(float(polled.headers.get("Retry-After", "0.25")))


async def sustained(url: str, documents: int, per_minute: int, seconds: float) -> Phase:
    phase = Phase(f"{documents}-document jobs, {per_minute}/min for {seconds / 60:g} min")
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=120,
                                 limits=limits) as client:
        started = time.perf_counter()
        tasks = []
        interval = 60.0 / per_minute
        index = 0
        while time.perf_counter() - started < seconds:
            tasks.append(asyncio.create_task(one_job(client, phase, documents, index)))
            index += 1
            await asyncio.sleep(max(0.0, started + index * interval - time.perf_counter()))
        await asyncio.gather(*tasks)
        phase.wall = time.perf_counter() - started
    return phase


async def burst(url: str, count: int) -> Counter[int]:
    answers: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(base_url=url, headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=120,
                                 limits=limits) as client:
        body = {"analysisInput": {"documents": [{"id": "1", "text": SENTENCES[0]}]}, "tasks": TASK}
        responses = await asyncio.gather(*(client.post(JOBS, params=VERSION, json=body) for _ in range(count)),
                                         return_exceptions=True)
    for response in responses:
        answers[response.status_code if isinstance(response, httpx.Response) else -1] += 1
    return answers


def health_during_studio_test(url: str) -> list[float]:
    """/health latencies while Studio's Test model analyzes 100,000 characters."""
    studio = httpx.Client(base_url=url, timeout=600, headers={"Origin": url})
    page = studio.get("/studio/signin").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    studio.post("/studio/signin", data=dict(hidden, key=KEY))
    test_page = studio.get("/studio/projects/MyProject/test").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', test_page))
    text = ("Book a table at Chez Marie in Seattle on Friday with David Schmidt. " * 1500)[:100_000]
    latencies: list[float] = []

    async def probe(done: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=url) as client:
            while not done.is_set():
                started = time.perf_counter()
                await client.get("/health")
                latencies.append(time.perf_counter() - started)
                await asyncio.sleep(0.02)

    async def main() -> None:
        done = asyncio.Event()
        prober = asyncio.create_task(probe(done))
        await asyncio.to_thread(studio.post, "/studio/projects/MyProject/test",
                                data=dict(hidden, deployment="MyDeploymentName", text=text))
        done.set()
        await prober

    asyncio.run(main())
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="length of each sustained phase")
    parser.add_argument("--rate", type=int, default=1000, help="submissions per minute")
    parser.add_argument("--burst", type=int, default=500, help="simultaneous submissions in the burst")
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="customner-load-") as folder:
        console.print("starting customner serve --demo (trains the demo model once)…")
        started = time.perf_counter()
        server = start_server(Path(folder), args.port)
        demo_seconds = time.perf_counter() - started
        url = f"http://127.0.0.1:{args.port}"
        try:
            memory_before = rss_mb(server.pid)
            phases = [asyncio.run(sustained(url, documents, args.rate, args.minutes * 60)) for documents in (1, 25)]
            burst_answers = asyncio.run(burst(url, args.burst))
            health = health_during_studio_test(url)
            memory_after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    table = Table(title=f"customner under load ({os.cpu_count()} cores)")
    for column in ("phase", "jobs", "documents/s", "p50 s", "p95 s", "p99 s", "answers by status", "failed jobs"):
        table.add_column(column)
    for phase in phases:
        table.add_row(phase.name, str(len(phase.latencies)), f"{phase.documents / phase.wall:.1f}",
                      f"{percentile(phase.latencies, 0.5):.3f}", f"{percentile(phase.latencies, 0.95):.3f}",
                      f"{percentile(phase.latencies, 0.99):.3f}",
                      ", ".join(f"{code}: {count}" for code, count in sorted(phase.answers.items())),
                      str(phase.failed_jobs))
    console.print(table)
    others = {code: count for code, count in burst_answers.items() if code not in (202, 429)}
    console.print(f"burst of {args.burst}: " + ", ".join(f"{code}: {n}" for code, n in sorted(burst_answers.items()))
                  + ("  (only 202 and 429: as it should)" if not others else f"  UNEXPECTED: {others}"))
    console.print(f"/health during a Studio test of 100,000 characters: {len(health)} answers, "
                  f"median {statistics.median(health) * 1000:.1f} ms, p99 {percentile(health, 0.99) * 1000:.1f} ms")
    console.print(f"server memory: {memory_before:.0f} MB before, {memory_after:.0f} MB after")
    console.print(f"serve --demo on a new data folder (import, train, deploy the demo) took {demo_seconds:.0f} s")


if __name__ == "__main__":
    main()
