"""Deployments: named slots that serve a trained model to the runtime API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from customner import errors
from customner.clock import utcnow
from customner.jobs.registry import job_function
from customner.services import authoring_jobs, projects
from customner.services.models import delete_artifact_if_unused, get_model_or_raise
from customner.services.names import MAX_DEPLOYMENTS, check_resource_name
from customner.store.tables import Deployment, Project

if TYPE_CHECKING:
    from customner.context import AppContext

DEPLOY_KIND = "deploy"
UNDEPLOY_KIND = "delete-deployment"
SWAP_KIND = "swap"


@dataclass(frozen=True)
class DeploymentInfo:
    """A detached, read-only snapshot of one deployment: what services hand to the HTTP layers (never the ORM row)."""

    id: int
    project_name: str
    name: str
    model_id: str
    model_label: str
    trained_at: datetime
    config_version: str
    deployed_at: datetime

    @classmethod
    def of(cls, row: Deployment) -> DeploymentInfo:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})


def find(session: Session, project_name: str, name: str) -> Deployment | None:
    return session.scalars(
        select(Deployment).where(Deployment.project_name == project_name, Deployment.name == name)
    ).first()


def get_or_raise(session: Session, project_name: str, name: str) -> Deployment:
    deployment = find(session, project_name, name)
    if deployment is None:
        raise errors.NotFound(
            f"The deployment '{name}' could not be found in project '{project_name}'.", inner_code="NotFound"
        )
    return deployment


def get(context: AppContext, project_name: str, name: str) -> DeploymentInfo:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        return DeploymentInfo.of(get_or_raise(session, project_name, name))


def list_deployments(context: AppContext, project_name: str, skip: int, top: int) -> tuple[list[DeploymentInfo], int]:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        query = select(Deployment).where(Deployment.project_name == project_name)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(Deployment.id).offset(skip).limit(top)).all()
        return [DeploymentInfo.of(row) for row in rows], total


def by_project(context: AppContext) -> list[tuple[str, list[DeploymentInfo]]]:
    """Every project that has deployments, with them: on a single self-hosted resource, every deployment is
    "assigned" to this resource (Azure's ``global/deployments/resources``)."""
    grouped: dict[str, list[DeploymentInfo]] = {}
    with context.db.session() as session:
        for row in session.scalars(select(Deployment).order_by(Deployment.project_name, Deployment.id)):
            grouped.setdefault(row.project_name, []).append(DeploymentInfo.of(row))
    return list(grouped.items())


def submit_deploy(context: AppContext, project_name: str, name: str, model_label: str) -> str:
    check_resource_name("deployment", name)
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        get_model_or_raise(session, project_name, model_label)
        count = session.scalar(select(func.count()).where(Deployment.project_name == project_name)) or 0
        if find(session, project_name, name) is None and count >= MAX_DEPLOYMENTS:
            raise errors.QuotaExceeded(
                f"Project '{project_name}' already has {MAX_DEPLOYMENTS} deployments, the limit. Delete one first.")
    payload = {"deployment_name": name, "model_label": model_label}
    return authoring_jobs.submit(context, DEPLOY_KIND, project_name, scope=name, payload=payload)


@job_function(DEPLOY_KIND)
def run_deploy(context: AppContext, job_id: str) -> None:
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        model = get_model_or_raise(session, authoring_jobs.project_of(job), job.payload["model_label"])
        model_id, artifact = model.id, model.artifact_path
    # Load before switching, so the slot never points at a model that cannot serve.
    context.models.get(model_id, artifact)
    now = utcnow()
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        deployment = find(session, authoring_jobs.project_of(job), job.payload["deployment_name"])
        previous = None
        if deployment is None:
            deployment = Deployment(project_name=job.project_name, name=job.payload["deployment_name"])
            session.add(deployment)
        else:
            previous = (deployment.model_id, deployment.artifact_path)
        deployment.model_id, deployment.model_label = model.id, model.label
        deployment.artifact_path, deployment.trained_at = model.artifact_path, model.trained_at
        deployment.config_version, deployment.deployed_at = model.config_version, now
        project = session.get(Project, job.project_name)
        if project is not None:
            project.deployed_at = now
        session.flush()
        if previous is not None and previous[0] != model.id:
            delete_artifact_if_unused(context, session, *previous)


def submit_delete(context: AppContext, project_name: str, name: str) -> str:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        get_or_raise(session, project_name, name)
    return authoring_jobs.submit(context, UNDEPLOY_KIND, project_name, scope=name, payload={"deployment_name": name})


@job_function(UNDEPLOY_KIND)
def run_delete(context: AppContext, job_id: str) -> None:
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        deployment = find(session, authoring_jobs.project_of(job), job.payload["deployment_name"])
        if deployment is None:
            return
        model_id, artifact = deployment.model_id, deployment.artifact_path
        session.delete(deployment)
        session.flush()
        delete_artifact_if_unused(context, session, model_id, artifact)


def submit_swap(context: AppContext, project_name: str, first: str, second: str) -> str:
    if first == second:
        raise errors.InvalidRequest("firstDeploymentName and secondDeploymentName must be different.",
                                    inner_code="InvalidParameterValue")
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        get_or_raise(session, project_name, first)
        get_or_raise(session, project_name, second)
    payload = {"first_deployment_name": first, "second_deployment_name": second}
    return authoring_jobs.submit(context, SWAP_KIND, project_name, scope="swap", payload=payload)


@job_function(SWAP_KIND)
def run_swap(context: AppContext, job_id: str) -> None:
    """Exchange the models of two slots in one transaction."""
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        first = get_or_raise(session, authoring_jobs.project_of(job), job.payload["first_deployment_name"])
        second = get_or_raise(session, authoring_jobs.project_of(job), job.payload["second_deployment_name"])
        fields = ("model_id", "model_label", "artifact_path", "trained_at", "config_version")
        first_values = [getattr(first, f) for f in fields]
        for f in fields:
            setattr(first, f, getattr(second, f))
        for f, value in zip(fields, first_values, strict=True):
            setattr(second, f, value)
        first.deployed_at = second.deployed_at = utcnow()
