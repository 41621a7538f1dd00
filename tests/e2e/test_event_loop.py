"""No Studio action freezes the server: /health keeps answering while long Studio requests run.

The old handlers were ``async def`` and waited with blocking calls, so not one /health answer could complete
while they ran. These tests count the /health answers that complete while the Studio request is in flight.
(Latency figures belong to ``benchmarks/load.py``, not to a test.)
"""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
from typing import Any

import httpx

from tests.conftest import DEMO_DEPLOYMENT, DEMO_PROJECT
from tests.server import API_KEY, RunningServer

HIDDEN_INPUT = re.compile(r'<input[^>]*type="hidden"[^>]*>')


def hidden_fields(html: str, action: str) -> dict[str, str]:
    """The hidden inputs of the form posting to ``action`` (a CSRF token, ``next``), as a browser would send them."""
    start = html.index(f'action="{action}"')
    form = html[start:html.index("</form>", start)]
    fields = {}
    for tag in HIDDEN_INPUT.findall(form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def studio_client(server: RunningServer) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=600, headers={"Origin": server.url}, follow_redirects=False)
    page = client.get("/studio/signin").text
    response = client.post("/studio/signin", data=dict(hidden_fields(page, "/studio/signin"), key=API_KEY))
    assert response.status_code == 303, response.text
    return client


def health_while(server: RunningServer, action: Any) -> tuple[list[float], Any]:
    """Run ``action`` in a thread; poll /health until it returns. Latencies of the answers completed meanwhile."""
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.setdefault("value", action()))
    latencies: list[float] = []
    with httpx.Client(base_url=server.url, timeout=600) as probe:
        worker.start()
        time.sleep(0.3)  # let the Studio request reach its handler
        while worker.is_alive():
            started = time.perf_counter()
            assert probe.get("/health").status_code == 200
            if worker.is_alive():
                latencies.append(time.perf_counter() - started)
            time.sleep(0.02)
    worker.join()
    return latencies, result["value"]


def report(what: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{what}: {len(latencies)} /health answers meanwhile, median {statistics.median(ordered) * 1000:.1f} ms, "  # noqa: T201
          f"p99 {p99 * 1000:.1f} ms")


def test_health_answers_while_studio_tests_a_100000_character_text(deployed: RunningServer) -> None:
    client = studio_client(deployed)
    url = f"/studio/projects/{DEMO_PROJECT}/test"
    fields = hidden_fields(client.get(url).text, url)
    text = ("Book a table at Chez Marie in Seattle on Friday with David Schmidt. " * 1500)[:100_000]

    def studio_test() -> httpx.Response:
        return client.post(url, data=dict(fields, deployment=DEMO_DEPLOYMENT, text=text))

    latencies, response = health_while(deployed, studio_test)
    assert response.status_code == 200 and "Seattle" in response.text
    assert len(latencies) >= 5, "the event loop was blocked while the Studio test ran"
    report("Studio test of 100,000 characters", latencies)


def test_health_answers_while_studio_imports_3000_documents(deployed: RunningServer) -> None:
    client = studio_client(deployed)
    documents = [{"location": f"doc{i}.txt", "language": "en-us", "dataset": "Train", "text": f"Ann met Bob in Rome, {i}.",
                  "entities": [{"regionOffset": 0, "regionLength": 20 + len(str(i)),
                                "labels": [{"category": "Person", "offset": 0, "length": 3}]}]} for i in range(3000)]
    project = {"projectFileVersion": "2022-05-01", "stringIndexType": "Utf16CodeUnit",
               "metadata": {"projectKind": "CustomEntityRecognition", "storageInputContainerName": "big-import",
                            "projectName": "BigImport", "language": "en-us", "multilingual": False, "settings": {}},
               "assets": {"projectKind": "CustomEntityRecognition", "entities": [{"category": "Person"}],
                          "documents": documents}}
    fields = hidden_fields(client.get("/studio/projects").text, "/studio/projects/import")

    def studio_import() -> httpx.Response:
        return client.post("/studio/projects/import", data=dict(fields, name="BigImport"),
                           files={"file": ("big.json", json.dumps(project).encode(), "application/json")})

    latencies, response = health_while(deployed, studio_import)
    assert response.status_code == 303, response.text
    assert len(latencies) >= 5, "the event loop was blocked while the Studio import ran"
    report("Studio import of 3,000 documents", latencies)
