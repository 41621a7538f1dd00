"""azure-ai-textanalytics 6.0.0b3 ``TextAnalysisClient``: a custom NER job on a given api-version.

Usage: sdk6_runtime.py API_VERSION PROJECT DEPLOYMENT DOCUMENTS_JSON [JOB_OPTIONS_JSON]
(JOB_OPTIONS_JSON: extra keyword arguments of begin_analyze_text_job, e.g. {"cancel_after": 0}.)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from _common import emit, endpoint, entity_dicts, error_info, key


def plain(value: Any) -> Any:
    """Enum members as their wire value."""
    return getattr(value, "value", value)


def main() -> None:
    from azure.ai.textanalytics import TextAnalysisClient
    from azure.ai.textanalytics.models import (
        CustomEntitiesActionContent,
        CustomEntitiesLROTask,
        MultiLanguageInput,
        MultiLanguageTextInput,
    )
    from azure.core.credentials import AzureKeyCredential

    version, project, deployment, documents = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    job_options = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    options = {} if version == "default" else {"api_version": version}  # "default": the SDK's own choice
    client = TextAnalysisClient(endpoint=endpoint(), credential=AzureKeyCredential(key()), **options)
    out: dict[str, Any] = {}
    try:
        text_input = MultiLanguageTextInput(multi_language_inputs=[
            MultiLanguageInput(id=d["id"], text=d["text"], language=d.get("language")) for d in documents])
        action = CustomEntitiesLROTask(name="my-ner-task", parameters=CustomEntitiesActionContent(
            project_name=project, deployment_name=deployment, string_index_type="Utf16CodeUnit"))
        no_wait = job_options.pop("no_wait", False)
        poller = client.begin_analyze_text_job(text_input=text_input, actions=[action], display_name="sdk6",
                                               polling_interval=0, **job_options)
        if no_wait:
            # 6.0.0b3 polls a "cancelled" job forever (azure-core's finished states spell "canceled"): hand the job
            # URL back and let the test read the outcome itself.
            initial = poller.polling_method()._initial_response.http_response  # noqa: SLF001 - test driver
            emit({"operation_location": initial.headers["operation-location"]})
            return
        state = poller.result()
        items = []
        for item in state.actions.items_property or []:
            items.append({
                "kind": plain(item.kind), "task_name": item.task_name, "status": plain(item.status),
                "documents": [{"id": d.id, "entities": entity_dicts(d.entities), "warnings": list(d.warnings)}
                              for d in (item.results.documents if item.results else [])],
                "errors": [{"id": e.id, "code": plain(e.error.code)} for e in (item.results.errors if item.results else [])],
            })
        out = {"status": plain(state.status), "items": items, "job_id": state.job_id,
               "display_name": state.display_name, "next_link": state.next_link}
    except Exception as error:  # noqa: BLE001 - reported to the test as data
        out = {"error": error_info(error)}
    emit(out)


if __name__ == "__main__":
    main()
