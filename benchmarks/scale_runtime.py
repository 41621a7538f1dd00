"""Runtime throughput and latency: the in-process engine against 1 and 2 Celery worker processes, in one run.

Each mode starts real processes (`customner serve`, and `customner worker` for Celery on PostgreSQL + Redis,
blobs in a shared folder), imports a project, trains, deploys, then sends `--jobs` runtime jobs of 25
documents from `--clients` concurrent clients (submit, then poll every 50 ms) and reports documents/s and the
p50/p99 submit-to-result latency. With `--during-training`, the burst is repeated while a training runs (on
the training worker with Celery, in the same process in-process) and its p99 is reported beside the idle one.

    python -m benchmarks.scale_runtime --jobs 20 --clients 4                        # tiny: demo project, CRF
    python -m benchmarks.scale_runtime --jobs 200 --clients 8 --during-training \\
        --training-project mit --training-config latest                            # the README's setting

`--training-project mit` trains on MIT Restaurant (../shared/datasets/mit_restaurant), a long training; the
default trains the bundled demo project. `--runtime-config latest` serves a transformer model instead of the fast
CRF; after the last mode, the in-process mode's model folder analyzes the same texts in this process (one call), so
each mode's documents/s has its share of in-process throughput beside it. Needs PostgreSQL and Redis on 127.0.0.1
(see tests/scale/services.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from benchmarks.mit_restaurant_api import in_process_documents_per_second
from tests.scale.services import HEADERS, ROOT, Stack, postgres_database, redis_database, stack_env

AUTHORING = "/language/authoring/analyze-text/projects"
VERSION = {"api-version": "2023-04-01"}
PROJECT, DEPLOYMENT, BUSY = "bench", "prod", "busy"
TERMINAL = ("succeeded", "failed", "cancelled", "partiallyCompleted")
TEXTS = [
    "Book a table for two at Le Petit Zinc in Madrid on this weekend.",
    "Find tickets for Adele in Lisbon next Friday.",
    "Is Chez Marie in Paris open on Sunday? We would like to go after the concert.",
    "We want dinner at Golden Dragon in Chicago tomorrow night, somewhere quiet please.",
]


def demo_project() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("customner.demo").joinpath("project.json").read_text("utf-8"))
    return data


def wait(client: httpx.Client, location: str, interval: float = 0.5) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = client.get(location).json()
        if job["status"] in TERMINAL:
            if job["status"] != "succeeded":
                raise RuntimeError(json.dumps(job.get("errors")))
            return job
        time.sleep(interval)


def prepare(client: httpx.Client, config: str) -> None:
    """The runtime project: demo data, ``config`` (by default the fast CRF), one deployment."""
    wait(client, client.post(f"{AUTHORING}/{PROJECT}/:import", params=VERSION, json=demo_project()).headers["operation-location"])
    wait(client, client.post(f"{AUTHORING}/{PROJECT}/:train", params=VERSION, json={
        "modelLabel": "m", "trainingConfigVersion": config,
        "evaluationOptions": {"kind": "manual"}}).headers["operation-location"])
    wait(client, client.put(f"{AUTHORING}/{PROJECT}/deployments/{DEPLOYMENT}", params=VERSION,
                            json={"trainedModelLabel": "m"}).headers["operation-location"])


def start_training(client: httpx.Client, project: str, config: str) -> str:
    """Import the training project and start its training; returns the training job's location."""
    if project == "mit":
        from benchmarks.mit_restaurant_api import DEFAULT_DATASET, project_file

        data = project_file(DEFAULT_DATASET, None)
    else:
        data = demo_project()
    wait(client, client.post(f"{AUTHORING}/{BUSY}/:import", params=VERSION, json=data).headers["operation-location"])
    response = client.post(f"{AUTHORING}/{BUSY}/:train", params=VERSION, json={
        "modelLabel": "busy", "trainingConfigVersion": config, "evaluationOptions": {"kind": "manual"}})
    location = response.headers["operation-location"]
    while client.get(location).json()["status"] != "running":
        time.sleep(0.2)
    return location


def job_texts(index: int) -> list[str]:
    return [TEXTS[(index + i) % len(TEXTS)] for i in range(25)]


def burst(apis: list[str], jobs: int, clients: int) -> dict[str, float]:
    def one(index: int) -> float:
        with httpx.Client(base_url=apis[index % len(apis)], headers=HEADERS, timeout=120) as client:
            documents = [{"id": str(i), "text": text} for i, text in enumerate(job_texts(index))]
            started = time.perf_counter()
            response = client.post("/language/analyze-text/jobs", params=VERSION, json={
                "analysisInput": {"documents": documents},
                "tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": PROJECT, "deploymentName": DEPLOYMENT}}]})
            location = response.headers["operation-location"]
            while client.get(location).json()["status"] not in TERMINAL:
                time.sleep(0.05)
            return time.perf_counter() - started

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(one, range(jobs)))
    wall = time.perf_counter() - t0
    return {"documents_per_second": round(jobs * 25 / wall, 1), "p50_seconds": round(statistics.median(latencies), 3),
            "p99_seconds": round(latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))], 3)}


def run_mode(name: str, runtime_workers: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with ExitStack() as stack:
        if runtime_workers:
            database = stack.enter_context(postgres_database())
            broker = stack.enter_context(redis_database())
            env = stack_env(database, broker, str(workdir / "blobs"), {})
            env.pop("CUSTOMNER_JOB_STALE_SECONDS")
            env.pop("CUSTOMNER_JOB_HEARTBEAT_SECONDS")
        else:
            env = stack_env("", "", "", {})
            for key in ("CUSTOMNER_JOB_ENGINE", "CUSTOMNER_BROKER_URL", "CUSTOMNER_DATABASE_URL", "CUSTOMNER_BLOB_URL",
                        "CUSTOMNER_BLOB_OPTIONS", "CUSTOMNER_JOB_STALE_SECONDS", "CUSTOMNER_JOB_HEARTBEAT_SECONDS"):
                env.pop(key)
        processes = Stack(env=env, workdir=workdir)
        stack.callback(processes.stop)
        apis = [processes.serve("api-1")]
        if runtime_workers:
            apis.append(processes.serve("api-2"))
            processes.worker("authoring", queues="authoring,training", concurrency=1)
            for number in range(runtime_workers):
                processes.worker(f"runtime-{number}", queues="runtime", concurrency=args.worker_threads)
        with httpx.Client(base_url=apis[0], headers=HEADERS, timeout=120) as client:
            prepare(client, args.runtime_config)
            burst(apis, max(2, args.clients), args.clients)  # warm up: every model cache loaded
            result: dict[str, Any] = {"mode": name, "idle": burst(apis, args.jobs, args.clients)}
            if args.during_training:
                training = start_training(client, args.training_project, args.training_config)
                result["during_training"] = burst(apis, args.jobs, args.clients)
                result["training_still_running"] = client.get(training).json()["status"] == "running"
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=20, help="runtime jobs of 25 documents per burst")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--worker-threads", type=int, default=2, help="--concurrency of each runtime worker")
    parser.add_argument("--during-training", action="store_true", help="repeat the burst while a training runs")
    parser.add_argument("--training-project", choices=("demo", "mit"), default="demo")
    parser.add_argument("--training-config", default="2024-06-01", help="e.g. latest (the transformer recipe)")
    parser.add_argument("--runtime-config", default="2024-06-01", help="the served model's config, e.g. latest")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "scale_runtime.json")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="customner-scale-bench-") as folder:
        for name, workers in (("in-process", 0), ("celery, 1 runtime worker", 1), ("celery, 2 runtime workers", 2)):
            workdir = Path(folder) / str(workers)
            workdir.mkdir()
            results.append(run_mode(name, workers, args, workdir))
            print(json.dumps(results[-1]))
        (config,) = (Path(folder) / "0").rglob(f"models/{PROJECT}/*/config.json")  # the in-process mode's model
        texts = [text for index in range(args.jobs) for text in job_texts(index)]
        in_process = in_process_documents_per_second(config.parent, texts)
    for row in results:
        row["share_of_in_process"] = round(row["idle"]["documents_per_second"] / in_process, 2)
    print(f"in-process, the same model in one call: {in_process:.1f} documents/s")
    args.output.write_text(json.dumps({"settings": vars(args) | {"output": str(args.output)}, "results": results}, indent=2) + "\n")
    print("\n| mode | documents/s | share of in-process | p50 s | p99 s | p99 s during training |\n|---|---|---|---|---|---|")
    for row in results:
        during = row.get("during_training", {}).get("p99_seconds", "–")
        idle = row["idle"]
        print(f"| {row['mode']} | {idle['documents_per_second']} | {row['share_of_in_process']} | {idle['p50_seconds']} "
              f"| {idle['p99_seconds']} | {during} |")


if __name__ == "__main__":
    main()
