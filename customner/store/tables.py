"""ORM tables. Spans are stored in Unicode code points; wire units are converted at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Project(Base):
    __tablename__ = "projects"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), default="CustomEntityRecognition")
    language: Mapped[str] = mapped_column(String(20))
    multilingual: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    storage_container: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    modified_at: Mapped[datetime] = mapped_column(DateTime)
    trained_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    deployed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    entity_types: Mapped[list[EntityType]] = relationship(
        cascade="all, delete-orphan", order_by="EntityType.position", passive_deletes=True
    )
    documents: Mapped[list[Document]] = relationship(
        cascade="all, delete-orphan", order_by="Document.position", passive_deletes=True
    )


class EntityType(Base):
    __tablename__ = "entity_types"
    __table_args__ = (UniqueConstraint("project_name", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_name: Mapped[str] = mapped_column(ForeignKey("projects.name", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Stable keyboard key and colour (key = slot + 1, colour = slot % 10); deleting another type keeps it.
    slot: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Document(Base):
    """A labeled document. Its text is the blob ``storage/<container>/<location>``."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("project_name", "location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_name: Mapped[str] = mapped_column(ForeignKey("projects.name", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # "Train", "Test" or None (unassigned).
    dataset: Mapped[str | None] = mapped_column(String(10), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Labeled windows as [[start, end], ...] in code points.
    regions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Bumped by every change of the labels; a save based on an older version is refused (no lost work).
    labels_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when a reviewer settles the labels of a document that annotators labeled.
    reviewed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    labels: Mapped[list[Label]] = relationship(
        cascade="all, delete-orphan", order_by="Label.start", passive_deletes=True
    )


class Label(Base):
    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(50))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class TrainedModel(Base):
    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("project_name", "label"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_name: Mapped[str] = mapped_column(ForeignKey("projects.name", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    config_version: Mapped[str] = mapped_column(String(50))
    artifact_path: Mapped[str] = mapped_column(String(500))
    trained_at: Mapped[datetime] = mapped_column(DateTime)
    training_seconds: Mapped[float] = mapped_column(Float)
    expiration_date: Mapped[str] = mapped_column(String(10))
    evaluation_options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evaluation_summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The project assets the model was trained on (code points), for snapshot export and load.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    training_report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class EvaluatedDocument(Base):
    """Per-document expected vs predicted spans of one model's test set."""

    __tablename__ = "evaluated_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[str] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(20))
    # [{"start","end","expected":[{category,start,end}],"predicted":[{category,start,end,confidence}]}]
    regions: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Deployment(Base):
    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("project_name", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_name: Mapped[str] = mapped_column(ForeignKey("projects.name", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # A deployment keeps serving the model it was given, even if its label is retrained later.
    model_id: Mapped[str] = mapped_column(String(64), index=True)
    model_label: Mapped[str] = mapped_column(String(100))
    artifact_path: Mapped[str] = mapped_column(String(500))
    trained_at: Mapped[datetime] = mapped_column(DateTime)
    config_version: Mapped[str] = mapped_column(String(50))
    deployed_at: Mapped[datetime] = mapped_column(DateTime)


class Job(Base):
    """Every asynchronous operation, runtime and authoring alike. The single source of truth for polling."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    project_name: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    # Extra scope for URLs (deployment name, model label).
    scope: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="notStarted", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Set by the worker running the job every few seconds; a stale one means that worker was lost.
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The apim-request-id of the request that created the job, carried into the worker's log lines.
    request_id: Mapped[str | None] = mapped_column(String(100), nullable=True)


class LabelEvent(Base):
    """The audit trail: who changed which labels of a document, when, from which version to which."""

    __tablename__ = "label_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_name: Mapped[str] = mapped_column(ForeignKey("projects.name", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)
    # save | review | type-deleted | type-restored
    action: Mapped[str] = mapped_column(String(30))
    # Whose copy changed: None for the project's labels (the ones training uses), else the annotator.
    annotator: Mapped[str | None] = mapped_column(String(100), nullable=True)
    from_version: Mapped[int] = mapped_column(Integer)
    to_version: Mapped[int] = mapped_column(Integer)
    # [[start, end, category], ...] in code points.
    added: Mapped[list[Any]] = mapped_column(JSON, default=list)
    removed: Mapped[list[Any]] = mapped_column(JSON, default=list)


class RejectedSuggestion(Base):
    """A model suggestion someone rejected; that model does not suggest it on that document again."""

    __tablename__ = "rejected_suggestions"
    __table_args__ = (UniqueConstraint("document_id", "model_id", "start", "end", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    model_id: Mapped[str] = mapped_column(String(64))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)


class Annotation(Base):
    """One annotator's own copy of a document's labels, kept apart until a reviewer settles them."""

    __tablename__ = "annotations"
    __table_args__ = (UniqueConstraint("document_id", "annotator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    annotator: Mapped[str] = mapped_column(String(100), index=True)
    # [[start, end, category], ...] in code points; None until the annotator saves.
    labels: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class TrashedEntityType(Base):
    """A deleted entity type with the labels that went with it, restorable for a while."""

    __tablename__ = "entity_type_trash"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_name: Mapped[str] = mapped_column(ForeignKey("projects.name", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    deleted_by: Mapped[str] = mapped_column(String(100))
    deleted_at: Mapped[datetime] = mapped_column(DateTime)
    # {"labels": [[document_id, start, end], ...], "annotations": [[annotation_id, start, end], ...]}
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

class User(Base):
    """A Studio user. Only an argon2 hash of the password is kept."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StudioSession(Base):
    """A signed-in Studio session. The cookie holds the random id; only its sha256 is stored."""

    __tablename__ = "studio_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # "user" (user_name set) or "key" (signed in with the bootstrap key; key_hash pins which key).
    kind: Mapped[str] = mapped_column(String(10))
    user_name: Mapped[str | None] = mapped_column(
        ForeignKey("users.name", ondelete="CASCADE"), nullable=True, index=True)
    key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    # Small per-session values such as the one-shot flash message.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ApiKey(Base):
    """A named API key. Only the sha256 of the (high-entropy, random) key is kept; it is shown once."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, so a user can tell keys apart in listings.
    prefix: Mapped[str] = mapped_column(String(8))
    # "runtime" (analyze and read jobs) or "authoring" (everything).
    scope: Mapped[str] = mapped_column(String(20))
    # Project names the key is limited to; empty means every project.
    projects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime)
