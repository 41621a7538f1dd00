"""MIT Restaurant through the service's own API: import, train, evaluate, then runtime latency.

Starts `customner serve` on a fresh data folder, uploads the texts to a storage container over HTTP,
imports the Azure project file, trains with the default recipe (manual split = the corpus' own
train/test), reads the evaluation summary (strict entity-level micro-F1 on the test split), deploys,
and measures end-to-end runtime jobs of 25 short documents (submit to result; ``--per-job``) with 1, 4 and 8
clients, and the CPU time per job of the server (from /proc: Linux) and of the clients (this process). After the
server stops, the deployed model folder analyzes the same test texts in-process (one call, as
``benchmarks/inference_speed.py`` does), so the API's share of in-process throughput comes from one run.

    python benchmarks/mit_restaurant_api.py                      # full train split
    python benchmarks/mit_restaurant_api.py --train-docs 500     # first 500 training documents
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = ROOT.parent / "shared" / "datasets" / "mit_restaurant"
AUTHORING = "/language/authoring/analyze-text/projects"
VERSION = {"api-version": "2023-04-01"}
KEY = "benchmark-key"
console = Console()


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CUSTOMNER_API_KEY=KEY)
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen([sys.executable, "-m", "customner", "serve", "--port", str(port), "--data-dir", str(data_dir)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start; see server.log")


def wait(client: httpx.Client, location: str, progress: Progress | None = None, task: Any = None) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = client.get(location).json()
        if progress is not None and "result" in job:
            progress.update(task, completed=job["result"]["trainingStatus"]["percentComplete"])
        if job["status"] in ("succeeded", "failed", "cancelled", "partiallyCompleted"):
            if job["status"] != "succeeded":
                raise RuntimeError(json.dumps(job["errors"]))
            return job
        time.sleep(1)


def project_file(dataset: Path, train_docs: int | None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((dataset / "azure" / "mit_restaurant.json").read_text("utf-8"))
    documents = data["assets"]["documents"]
    train = [d for d in documents if d["dataset"] == "Train"]
    test = [d for d in documents if d["dataset"] == "Test"]
    data["assets"]["documents"] = (train[:train_docs] if train_docs else train) + test
    return data


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU the server process has used so far (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runtime_latency(client: httpx.Client, texts: list[str], jobs: int, concurrency: int, server_pid: int,
                    per_job: int = 25, poll_seconds: float = 0.02) -> dict[str, float]:
    def one(index: int) -> float:
        batch = texts[(index * per_job) % len(texts):][:per_job]
        started = time.perf_counter()
        response = client.post("/language/analyze-text/jobs", params=VERSION, json={
            "analysisInput": {"documents": [{"id": str(i), "text": t} for i, t in enumerate(batch)]},
            "tasks": [{"kind": "CustomEntityRecognition", "parameters": {"projectName": "mit_restaurant", "deploymentName": "prod"}}]})
        location = response.headers["operation-location"]
        while client.get(location).json()["status"] not in ("succeeded", "failed"):
            time.sleep(poll_seconds)
        return time.perf_counter() - started

    t0, cpu0, own0 = time.perf_counter(), server_cpu_seconds(server_pid), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(one, range(jobs)))
    wall = time.perf_counter() - t0
    return {"documents_per_second": jobs * per_job / wall, "p50_seconds": statistics.median(latencies),
            "p99_seconds": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))],
            "server_cpu_ms_per_job": (server_cpu_seconds(server_pid) - cpu0) / jobs * 1000,
            # the clients run on the same machine: what they take, the server cannot use
            "client_cpu_ms_per_job": (time.process_time() - own0) / jobs * 1000}


def in_process_documents_per_second(model_dir: Path, texts: list[str]) -> float:
    """A model folder analyzing ``texts`` in this process, in one call: best of 3."""
    from customner.ner import load

    predictor = load(model_dir)
    predictor.predict(texts[:64])
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        predictor.predict(texts)
        best = min(best, time.perf_counter() - t0)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--train-docs", type=int, default=None, help="use only the first N training documents")
    parser.add_argument("--config-version", default="latest")
    parser.add_argument("--latency-jobs", type=int, default=200,
                        help="runtime jobs per client count (200 jobs of 25 documents: about 10 s each)")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--clients", default="1,4,8", help="runtime clients, each with one job in flight")
    parser.add_argument("--per-job", type=int, default=25, help="documents in each runtime job (at most 25)")
    parser.add_argument("--poll-seconds", type=float, default=0.02,
                        help="how long a client waits between two status requests of its job")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="customner-bench-"))
    server = start_server(data_dir, args.port)
    client = httpx.Client(base_url=f"http://127.0.0.1:{args.port}", headers={"Ocp-Apim-Subscription-Key": KEY}, timeout=600)
    try:
        body = project_file(args.dataset, args.train_docs)
        container = body["metadata"]["storageInputContainerName"]
        documents = body["assets"]["documents"]
        with Progress(console=console) as progress:
            task = progress.add_task("upload texts", total=len(documents))
            for document in documents:
                text = (args.dataset / "azure" / "documents" / document["location"]).read_bytes()
                client.put(f"/storage/{container}/{document['location']}", content=text).raise_for_status()
                progress.advance(task)
        t0 = time.perf_counter()
        response = client.post(f"{AUTHORING}/mit_restaurant/:import", params=VERSION, json=body)
        response.raise_for_status()
        wait(client, response.headers["operation-location"])
        import_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        response = client.post(f"{AUTHORING}/mit_restaurant/:train", params=VERSION, json={
            "modelLabel": "bench", "trainingConfigVersion": args.config_version, "evaluationOptions": {"kind": "manual"}})
        response.raise_for_status()
        with Progress(console=console) as progress:
            task = progress.add_task("training", total=100)
            wait(client, response.headers["operation-location"], progress, task)
        train_wall = time.perf_counter() - t0
        model = client.get(f"{AUTHORING}/mit_restaurant/models/bench", params=VERSION).json()
        summary = client.get(f"{AUTHORING}/mit_restaurant/models/bench/evaluation/summary-result", params=VERSION).json()
        response = client.put(f"{AUTHORING}/mit_restaurant/deployments/prod", params=VERSION, json={"trainedModelLabel": "bench"})
        wait(client, response.headers["operation-location"])
        test_texts = [(args.dataset / "azure" / "documents" / d["location"]).read_text("utf-8")
                      for d in documents if d["dataset"] == "Test"]
        runtime = {int(n): runtime_latency(client, test_texts, args.latency_jobs, int(n), server.pid, args.per_job,
                                          args.poll_seconds)
                   for n in args.clients.split(",")}
    finally:
        server.terminate()
        server.wait(timeout=30)
    (config,) = [p for p in data_dir.rglob("config.json") if (p.parent / "meta.json").exists()]  # the one model
    in_process = in_process_documents_per_second(config.parent, test_texts)

    evaluation = summary["customEntityRecognitionEvaluation"]
    train_count = sum(d["dataset"] == "Train" for d in documents)
    table = Table(title=f"MIT Restaurant through the API ({train_count} training documents, test split 1,521)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("test micro-F1 (strict)", f"{evaluation['microF1']:.4f}"),
        ("micro-F1 95% bootstrap interval", f"{evaluation['microF1ConfidenceInterval95']['lower']:.4f} – "
                                            f"{evaluation['microF1ConfidenceInterval95']['upper']:.4f}"
         if "microF1ConfidenceInterval95" in evaluation else "n/a"),
        ("expected calibration error", f"{evaluation.get('expectedCalibrationError', float('nan')):.4f}"),
        ("training time (model, s)", str(model["lastTrainingDurationInSeconds"])),
        ("train job wall time incl. evaluation (s)", f"{train_wall:.0f}"),
        ("import wall time (s)", f"{import_seconds:.1f}"),
    ]
    for n, figures in runtime.items():
        clients = f"{n} client{'s' * (n > 1)}"
        rows += [(f"runtime docs/s, {clients} ({args.per_job}-doc jobs)", f"{figures['documents_per_second']:.1f}"),
                 (f"runtime p50 / p99 latency, {clients} (s)",
                  f"{figures['p50_seconds']:.3f} / {figures['p99_seconds']:.3f}"),
                 (f"server / clients' CPU per job, {clients} (ms)",
                  f"{figures['server_cpu_ms_per_job']:.1f} / {figures['client_cpu_ms_per_job']:.1f}")]
    best = max(f["documents_per_second"] for f in runtime.values())
    rows += [("in-process docs/s, same model, one call", f"{in_process:.1f}"),
             ("API's best docs/s / in-process", f"{best / in_process:.2f}")]
    for name, value in rows:
        table.add_row(name, value)
    for category, scores in evaluation["entities"].items():
        table.add_row(f"  F1 {category}", f"{scores['f1']:.4f}")
    console.print(table)
    suffix = "" if args.per_job == 25 else f"_{args.per_job}_per_job"
    suffix += "" if args.poll_seconds == 0.02 else f"_poll_{args.poll_seconds:g}s"
    out = ROOT / "benchmarks" / "results" / f"mit_restaurant_api_{args.train_docs or 'all'}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "runtime": runtime, "in_process_documents_per_second": in_process,
                               "model": model, "evaluation": evaluation}, indent=1))
    console.print(f"saved {out}")


if __name__ == "__main__":
    main()
