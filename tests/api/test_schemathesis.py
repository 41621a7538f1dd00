"""Property-based fuzzing of every documented route against the live session server.

Asserts that nothing answers 5xx and that every documented response matches its declared schema.
Bounded (few examples per operation, no shrinking) so the whole run stays well under three minutes.
(``schemathesis.pytest.from_fixture`` does not work with pytest 9, hence the explicit loop.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.server import API_KEY, RunningServer

KEY = {"Ocp-Apim-Subscription-Key": API_KEY}
EXAMPLES_PER_OPERATION = 8


def test_no_server_errors_and_responses_match_the_schema(server: RunningServer) -> None:
    response = server.client.get("/openapi.json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    failures: list[str] = []
    tested = 0
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for result in schema.get_all_operations():
            operation = result.ok()
            tested += 1

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def exercise(case: Any) -> None:
                case.call_and_validate(base_url=server.url, headers=KEY, timeout=30,
                                       checks=[not_a_server_error, response_schema_conformance])

            try:
                exercise()
            except Unsatisfiable:
                continue  # nothing to make invalid (e.g. /health in negative mode)
            except Exception as error:  # noqa: BLE001 - collect every operation's first failure
                failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: {error}"[:3000])
    assert tested >= 2 * 38
    assert not failures, "\n\n".join(failures)


def test_real_successful_responses_match_the_declared_schemas(server: RunningServer, small_project: str) -> None:
    """Fuzzing rarely reaches success bodies (jobs, models, evaluations); walk a real life cycle and check each."""
    schema = schemathesis.openapi.from_dict(server.client.get("/openapi.json").json())
    checked: list[str] = []

    def check(response: Any) -> Any:
        path = response.request.url.path
        operation = schema.find_operation_by_path(response.request.method, path)
        assert operation is not None, f"{response.request.method} {path} is not documented"
        assert str(response.status_code) in operation.definition.raw["responses"], (path, response.status_code)
        operation.validate_response(response)
        checked.append(f"{response.request.method} {operation.path}")
        return response

    get, v = server.client.get, {"api-version": "2023-04-01"}
    base = f"/language/authoring/analyze-text/projects/{small_project}"
    check(get("/language/authoring/analyze-text/projects", params=v))
    check(get(base, params=v))
    jobs = check(get(f"{base}/train/jobs", params=v)).json()["value"]
    check(get(f"{base}/train/jobs/{jobs[0]['jobId']}", params=v))
    check(get(f"{base}/models", params=v))
    check(get(f"{base}/models/small-model", params=v))
    check(get(f"{base}/models/small-model/evaluation/summary-result", params=v))
    check(get(f"{base}/models/small-model/evaluation/result", params=dict(v, stringIndexType="Utf16CodeUnit")))
    deploy = check(server.client.put(f"{base}/deployments/schema-check", params=v, json={"trainedModelLabel": "small-model"}))
    server.wait_job(deploy.headers["operation-location"])
    check(get(deploy.headers["operation-location"]))
    check(get(f"{base}/deployments", params=v))
    check(get(f"{base}/deployments/schema-check", params=v))
    export = check(server.client.post(f"{base}/:export", params=dict(v, stringIndexType="Utf16CodeUnit")))
    server.wait_job(export.headers["operation-location"])
    exported = check(get(export.headers["operation-location"])).json()
    check(get(exported["resultUrl"]))
    check(get("/language/authoring/analyze-text/projects/global/languages", params=v))
    check(get("/language/authoring/analyze-text/projects/global/training-config-versions", params=v))
    documents = [{"id": str(i), "text": "Dinner at Chez Marie in Madrid on Friday." if i else ""} for i in range(22)]
    ga = check(server.client.post("/language/analyze-text/jobs", params=v, json={
        "analysisInput": {"documents": documents}, "tasks": [
            {"kind": "CustomEntityRecognition", "taskName": "ok",
             "parameters": {"projectName": small_project, "deploymentName": "schema-check"}},
            {"kind": "CustomEntityRecognition", "taskName": "broken",
             "parameters": {"projectName": small_project, "deploymentName": "missing"}}]}))
    location = ga.headers["operation-location"]
    check(get(location))
    server.wait_job(location)
    assert check(get(f"{location}&showStats=true")).json()["status"] == "partiallyCompleted"
    v32 = check(server.client.post("/text/analytics/v3.2-preview.2/analyze", json={
        "analysisInput": {"documents": documents}, "tasks": {"customEntityRecognitionTasks": [
            {"parameters": {"project-name": small_project, "deployment-name": "schema-check"}}]}}))
    server.wait_job(v32.headers["operation-location"])
    check(get(f"{v32.headers['operation-location']}?showStats=true"))
    deleted = check(server.client.delete(f"{base}/deployments/schema-check", params=v))
    server.wait_job(deleted.headers["operation-location"])
    check(get("/storage/apismallproject-container"))
    assert len(checked) == 24
