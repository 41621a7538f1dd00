"""azure-ai-textanalytics 5.2.0b2 (v3.2-preview.2): begin_analyze_actions with RecognizeCustomEntitiesAction.

Usage: sdk52_actions.py PROJECT DEPLOYMENT DOCUMENTS_JSON
"""

from __future__ import annotations

import json
import sys

from _common import document_result, emit, endpoint, error_info, key


def main() -> None:
    from azure.ai.textanalytics import RecognizeCustomEntitiesAction, TextAnalyticsClient, __version__
    from azure.core.credentials import AzureKeyCredential

    project, deployment, documents = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    client = TextAnalyticsClient(endpoint=endpoint(), credential=AzureKeyCredential(key()))
    out: dict[str, object] = {"sdk": __version__, "api_version": client._api_version}  # noqa: SLF001
    try:
        poller = client.begin_analyze_actions(
            documents, actions=[RecognizeCustomEntitiesAction(project_name=project, deployment_name=deployment)],
            display_name="sdk52", show_stats=True, polling_interval=0)
        out["documents"] = [[document_result(r) for r in per_doc] for per_doc in poller.result()]
        out["status"] = poller.status()
    except Exception as error:  # noqa: BLE001 - reported to the test as data
        out["error"] = error_info(error)
    emit(out)


if __name__ == "__main__":
    main()
