"""Authoring wire shapes: the one place their camelCase field names are spelled."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from customner.clock import iso_seconds
from customner.jobs.lifecycle import JobRecord
from customner.services.deployments import DeploymentInfo
from customner.services.models import ModelInfo
from customner.services.projects import ProjectInfo
from customner.web import base_url

PREFIX = "/language/authoring/analyze-text/projects"


def job_url(request: Request, path: str, version: str) -> str:
    return f"{base_url(request)}{PREFIX}{path}?api-version={version}"


def job_state(job: JobRecord, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {
        "jobId": job.id, "createdDateTime": iso_seconds(job.created_at),
        "lastUpdatedDateTime": iso_seconds(job.updated_at), "expirationDateTime": iso_seconds(job.expires_at),
        "status": job.status, "warnings": list(job.warnings), "errors": [e for e in job.errors if e],
    }
    body.update(extra or {})
    return body


def project(row: ProjectInfo) -> dict[str, Any]:
    body: dict[str, Any] = {
        "projectKind": row.kind, "storageInputContainerName": row.storage_container, "settings": row.settings or {},
        "projectName": row.name, "multilingual": row.multilingual, "language": row.language,
        "createdDateTime": iso_seconds(row.created_at), "lastModifiedDateTime": iso_seconds(row.modified_at),
    }
    if row.description is not None:
        body["description"] = row.description
    if row.trained_at is not None:
        body["lastTrainedDateTime"] = iso_seconds(row.trained_at)
    if row.deployed_at is not None:
        body["lastDeployedDateTime"] = iso_seconds(row.deployed_at)
    return body


def model(row: ModelInfo, version: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "label": row.label, "modelId": row.id, "lastTrainedDateTime": iso_seconds(row.trained_at),
        "lastTrainingDurationInSeconds": round(row.training_seconds), "modelExpirationDate": row.expiration_date,
        "modelTrainingConfigVersion": row.config_version,
    }
    if version != "2022-05-01":
        body["hasSnapshot"] = row.has_snapshot
    return body


def deployment(row: DeploymentInfo, expiration_date: str) -> dict[str, Any]:
    return {
        "deploymentName": row.name, "modelId": row.model_id, "lastTrainedDateTime": iso_seconds(row.trained_at),
        "lastDeployedDateTime": iso_seconds(row.deployed_at), "deploymentExpirationDate": expiration_date,
        "modelTrainingConfigVersion": row.config_version,
    }
