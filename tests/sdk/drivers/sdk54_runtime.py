"""azure-ai-textanalytics 5.4.0 against the GA runtime: every custom NER scenario the tests check.

Reads a JSON spec on stdin: {"api_version", "project", "deployment", "index_text", "paging_documents",
"mixed_documents", "cancel_documents", "cancel_actions"}; prints one JSON object with a key per scenario.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from _common import document_result, emit, endpoint, error_info, key


def main() -> None:
    from azure.ai.textanalytics import RecognizeCustomEntitiesAction, TextAnalyticsClient, __version__
    from azure.core.credentials import AzureKeyCredential

    spec = json.load(sys.stdin)
    project, deployment = spec["project"], spec["deployment"]
    client = TextAnalyticsClient(endpoint=endpoint(), credential=AzureKeyCredential(key()),
                                 api_version=spec["api_version"])
    out: dict[str, Any] = {"sdk": __version__}

    def scenario(name: str, run: Any) -> None:
        try:
            out[name] = run()
        except Exception as error:  # noqa: BLE001 - reported to the test as data
            out[name] = {"error": error_info(error)}

    def recognize(documents: list[Any], **kwargs: Any) -> dict[str, Any]:
        poller = client.begin_recognize_custom_entities(
            documents, project_name=project, deployment_name=deployment, polling_interval=0, **kwargs)
        results = [document_result(r) for r in poller.result()]
        details = poller.details
        return {"documents": results, "status": poller.status(),
                "details": {"id": details.get("id"), "display_name": details.get("display_name"),
                            "created_on": str(details.get("created_on"))}}

    for index_type in ("UnicodeCodePoint", "Utf16CodeUnit", "TextElement_v8"):
        scenario(f"index_{index_type}", lambda t=index_type: recognize(
            [{"id": "1", "text": spec["index_text"], "language": "en"}], string_index_type=t))
    scenario("stats", lambda: recognize([{"id": "1", "text": spec["index_text"]}], show_stats=True,
                                        display_name="stats job"))
    scenario("paging", lambda: recognize(spec["paging_documents"]))
    scenario("mixed", lambda: recognize(spec["mixed_documents"], show_stats=True))

    def two_actions() -> dict[str, Any]:
        poller = client.begin_analyze_actions(
            spec["mixed_documents"],
            actions=[RecognizeCustomEntitiesAction(project_name=project, deployment_name=deployment),
                     RecognizeCustomEntitiesAction(project_name=project, deployment_name=deployment,
                                                   string_index_type="Utf16CodeUnit", disable_service_logs=True)],
            display_name="two actions", show_stats=True, polling_interval=0)
        return {"documents": [[document_result(r) for r in per_doc] for per_doc in poller.result()],
                "status": poller.status()}

    scenario("two_actions", two_actions)

    def failed_action() -> dict[str, Any]:
        poller = client.begin_analyze_actions(
            spec["mixed_documents"][:1],
            actions=[RecognizeCustomEntitiesAction(project_name=project, deployment_name=deployment),
                     RecognizeCustomEntitiesAction(project_name=project, deployment_name="NoSuchDeployment")],
            polling_interval=0)
        return {"documents": [[document_result(r) for r in per_doc] for per_doc in poller.result()],
                "status": poller.status()}

    scenario("failed_action", failed_action)

    def failed_job() -> dict[str, Any]:
        from azure.core.exceptions import HttpResponseError

        try:
            client.begin_recognize_custom_entities(spec["mixed_documents"][:1], project_name=project,
                                                   deployment_name="NoSuchDeployment", polling_interval=0).result()
        except HttpResponseError as error:
            return {"raised": type(error).__name__, "message": str(error).splitlines()[0]}
        return {"raised": None}

    scenario("failed_job", failed_job)

    def cancel() -> dict[str, Any]:
        actions = [RecognizeCustomEntitiesAction(project_name=project, deployment_name=deployment)
                   for _ in range(spec["cancel_actions"])]
        poller = client.begin_analyze_actions(spec["cancel_documents"], actions=actions, polling_interval=0.2)
        time.sleep(0.05)
        returned = poller.cancel()
        per_doc = [[document_result(r) for r in results] for results in poller.result()]
        return {"cancel_returned": repr(returned), "status": poller.status(), "documents": per_doc}

    scenario("cancel", cancel)
    emit(out)


if __name__ == "__main__":
    main()
