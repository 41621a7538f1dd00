"""Copy a project, with its trained models, from one customner server to another (Azure's ``:authorize-copy`` and
``:copy``, 2023-04-15-preview and later).

The target authorizes first: it signs a short-lived access token naming the project it will receive (no state is
stored; the signature is keyed by the target's API key, so a new key voids old tokens). The source then runs a
copy job that packs the project's data, texts and model files into one archive and sends it, with the token, to
the target's ``:receive-copy``, which checks everything before it writes anything. Deployments are not copied:
they belong to a resource (Azure does the same), so deploy on the target.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import httpx
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from customner import errors
from customner.clock import iso_seconds, utcnow
from customner.formats.azure_project import ProjectMetadata
from customner.jobs.registry import job_function
from customner.services import authoring_jobs, projects
from customner.services.documents import assets_from_snapshot, load_assets, replace_assets, snapshot_of
from customner.services.models import delete_artifact_if_unused
from customner.services.names import check_container_name, check_file_name, check_project_name, container_key
from customner.store.tables import EvaluatedDocument, Project, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

COPY_KIND = "copy-project"
TOKEN_LIFETIME = timedelta(hours=24)
RECEIVE_PATH = "/language/authoring/analyze-text/projects/{project}/:receive-copy"
RECEIVE_API_VERSION = "2023-04-15-preview"
TOKEN_HEADER = "customner-copy-token"
REGION = "self-hosted"
_MODEL_FIELDS = ("label", "config_version", "trained_at", "training_seconds", "expiration_date", "evaluation_options",
                 "evaluation_summary", "snapshot", "training_report")


@dataclass
class CopyAuthorization:
    """Azure's CopyProjectDetails: what the target hands out and the source's ``:copy`` takes."""

    project_kind: str
    target_project_name: str
    access_token: str
    expires_at: datetime
    target_resource_id: str  # customner: the target server's base URL
    target_resource_region: str = REGION


def _signer(context: AppContext) -> URLSafeSerializer:
    key, _ = context.settings.ensure_api_key()
    return URLSafeSerializer(hashlib.sha256(b"customner-copy:" + key.encode()).hexdigest(), salt="copy-project")


def authorize(context: AppContext, project_name: str, *, project_kind: str, storage_container: str | None,
              allow_overwrite: bool, base_url: str) -> CopyAuthorization:
    """Run on the target: allow one source to copy a project into ``project_name`` here."""
    check_project_name(project_name)
    if storage_container is not None:
        check_container_name(storage_container)
    if project_kind != projects.PROJECT_KIND:
        raise errors.InvalidParameterValue(
            f"Project kind '{project_kind}' is not supported.",
            inner_message="customner serves custom named entity recognition projects only (CustomEntityRecognition).")
    with context.db.session() as session:
        exists = session.get(Project, project_name) is not None
    if exists and not allow_overwrite:
        raise errors.Conflict(f"Project '{project_name}' already exists here; authorize with allowOverwrite: true to "
                              "replace it.", inner_code="ProjectAlreadyExists")
    expires = utcnow() + TOKEN_LIFETIME
    token = _signer(context).dumps({"project": project_name, "container": storage_container,
                                    "overwrite": allow_overwrite, "expires": iso_seconds(expires)})
    return CopyAuthorization(project_kind, project_name, str(token), expires, base_url)


def submit_copy(context: AppContext, project_name: str, *, target_project_name: str, access_token: str,
                target_url: str) -> str:
    """Run on the source: queue the job that sends ``project_name`` to the authorized target."""
    if not target_url.startswith(("http://", "https://")):
        raise errors.InvalidParameterValue(
            "Invalid parameter in request",
            inner_message="targetResourceId must be the target customner server's URL, as its :authorize-copy returned it.")
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
    payload = {"target_project_name": target_project_name, "access_token": access_token,
               "target_url": target_url.rstrip("/")}
    return authoring_jobs.submit(context, COPY_KIND, project_name, payload)


@job_function(COPY_KIND)
def run_copy(context: AppContext, job_id: str) -> None:
    with context.db.session() as session:
        job = authoring_jobs.load(session, job_id)
        payload = job.payload
        project = projects.get_or_raise(session, str(job.project_name))
        assets = load_assets(session, context.blobs, project)
        manifest: dict[str, Any] = {
            "project": {"language": project.language, "multilingual": project.multilingual,
                        "description": project.description, "settings": project.settings or {},
                        "storageInputContainerName": project.storage_container},
            "assets": snapshot_of(assets), "models": []}
        artifacts = []
        for model in session.scalars(select(TrainedModel).where(TrainedModel.project_name == project.name)):
            evaluated = session.scalars(select(EvaluatedDocument).where(EvaluatedDocument.model_id == model.id))
            row = {name: getattr(model, name) for name in _MODEL_FIELDS}
            row["trained_at"] = model.trained_at.isoformat()
            row["evaluated"] = [{"location": e.location, "language": e.language, "regions": e.regions} for e in evaluated]
            manifest["models"].append(row)
            artifacts.append(model.artifact_path)
    with tempfile.TemporaryFile() as bundle:
        with tarfile.open(fileobj=bundle, mode="w:gz") as tar:
            data = json.dumps(manifest).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for index, artifact in enumerate(artifacts):
                tar.add(str(context.blobs.read_dir(artifact)), arcname=f"models/{index}")
        bundle.seek(0)
        url = payload["target_url"] + RECEIVE_PATH.format(project=payload["target_project_name"])
        try:
            response = httpx.post(url, params={"api-version": RECEIVE_API_VERSION}, content=bundle.read(),
                                  headers={TOKEN_HEADER: payload["access_token"], "content-type": "application/gzip"},
                                  timeout=600)
        except httpx.HTTPError as error:
            raise errors.JobFailure(f"Cannot reach the target server {payload['target_url']}: {error}") from error
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:500]
        raise errors.JobFailure(f"The target server refused the copy (HTTP {response.status_code}): {message}",
                                code="InvalidRequest")


def receive(context: AppContext, project_name: str, token: str | None, bundle: IO[bytes]) -> dict[str, Any]:
    """Run on the target: check the token and the archive, then replace ``project_name`` with the copy."""
    claims = check_token(context, project_name, token)
    with context.db.session() as session:
        if session.get(Project, project_name) is not None and not claims["overwrite"]:
            raise errors.Conflict(f"Project '{project_name}' exists here and the authorization does not allow overwriting.",
                                  inner_code="ProjectAlreadyExists")
        authoring_jobs.refuse_while_training(session, project_name)
    with tempfile.TemporaryDirectory(prefix="copy-") as folder:
        root = Path(folder)
        try:
            with tarfile.open(fileobj=bundle, mode="r:gz") as tar:
                tar.extractall(root, filter="data")
            manifest = json.loads((root / "manifest.json").read_text("utf-8"))
            assets = assets_from_snapshot(manifest["assets"])
        except (tarfile.TarError, OSError, ValueError, KeyError, TypeError) as error:
            raise errors.InvalidRequest(f"The copy archive is unreadable: {error}") from error
        source = manifest["project"]
        metadata = ProjectMetadata(
            project_kind="CustomEntityRecognition", project_name=project_name, language=source["language"],
            storage_input_container_name=claims["container"] or source["storageInputContainerName"],
            multilingual=source["multilingual"], description=source["description"], settings=source["settings"])
        check_container_name(metadata.storage_input_container_name)  # every name is checked before anything is written
        for record in assets.documents:
            check_file_name(record.location)
        new_models = []
        for index, row in enumerate(manifest["models"]):
            model_id = uuid.uuid4().hex
            artifact = f"models/{project_name}/{model_id}"
            with context.blobs.write_dir(artifact) as output:
                shutil.copytree(root / "models" / str(index), output, dirs_exist_ok=True)
            new_models.append((model_id, artifact, row))
    for record in assets.documents:
        context.blobs.write_text(container_key(metadata.storage_input_container_name, record.location), record.text)
    replace_assets(context, project_name, metadata, assets)
    _replace_models(context, project_name, new_models)
    return {"projectName": project_name, "documents": len(assets.documents),
            "models": [row["label"] for _, _, row in new_models]}


def check_token(context: AppContext, project_name: str, token: str | None) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = _signer(context).loads(token or "")
    except BadSignature as error:
        raise errors.Unauthorized("The copy access token is missing or was not issued by this server.") from error
    if claims.get("project") != project_name:
        raise errors.Unauthorized(f"The copy access token was issued for project '{claims.get('project')}', "
                                  f"not '{project_name}'.")
    if claims["expires"] < iso_seconds(utcnow()):
        raise errors.Unauthorized(f"The copy access token expired at {claims['expires']}; authorize the copy again.")
    return claims


def _replace_models(context: AppContext, project_name: str, new_models: list[tuple[str, str, dict[str, Any]]]) -> None:
    """The project's models become the copied ones; a deployment keeps serving the files it was given."""
    with context.db.session() as session:
        old = list(session.scalars(select(TrainedModel).where(TrainedModel.project_name == project_name)))
        for model in old:
            session.delete(model)
        session.flush()
        for model in old:
            delete_artifact_if_unused(context, session, model.id, model.artifact_path)
        for model_id, artifact, row in new_models:
            fields = {name: row[name] for name in _MODEL_FIELDS}
            fields["trained_at"] = datetime.fromisoformat(row["trained_at"])
            session.add(TrainedModel(id=model_id, project_name=project_name, artifact_path=artifact, **fields))
            session.flush()
            session.add_all(EvaluatedDocument(model_id=model_id, **e) for e in row["evaluated"])
        project = session.get(Project, project_name)
        if project is not None and new_models:
            project.trained_at = max(datetime.fromisoformat(row["trained_at"]) for _, _, row in new_models)
