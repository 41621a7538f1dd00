"""A project at a glance (documents, labeled ones, labels per type), for the projects list and page headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from customner.services import projects
from customner.services.labeling import entity_types, label_store
from customner.store.tables import Document, Label, Project

if TYPE_CHECKING:
    from customner.context import AppContext

@dataclass
class TypeCount:
    name: str
    train: int = 0
    test: int = 0
    slot: int = 0
    in_copies: int = 0  # labels in annotators' own copies


@dataclass
class ProjectOverview:
    name: str
    language: str
    description: str | None
    storage_container: str
    documents: int
    labeled: int
    types: list[TypeCount]
    trained_at: Any
    deployed_at: Any


def overview(context: AppContext, project_name: str) -> ProjectOverview:
    with context.db.session() as session:
        return _overview(session, projects.get_or_raise(session, project_name))


def overviews(context: AppContext) -> list[ProjectOverview]:
    with context.db.session() as session:
        rows = session.scalars(select(Project).order_by(Project.created_at, Project.name)).all()
        return [_overview(session, project) for project in rows]


def _overview(session: Session, project: Project) -> ProjectOverview:
    """Counts by SQL aggregation, so the projects list stays quick on big projects."""
    counts = {info.name: TypeCount(info.name, slot=info.slot) for info in entity_types.type_infos(project)}
    grouped = session.execute(
        select(Label.category, Document.dataset, func.count()).join(Document, Label.document_id == Document.id)
        .where(Document.project_name == project.name).group_by(Label.category, Document.dataset))
    for category, dataset, number in grouped:
        count = counts.setdefault(category, TypeCount(category))
        if dataset == "Test":
            count.test += number
        else:
            count.train += number
    with_labels = set(session.scalars(select(Label.document_id).join(Document, Label.document_id == Document.id)
                                      .where(Document.project_name == project.name).distinct()))
    rows = session.execute(select(Document.id, Document.regions).where(Document.project_name == project.name)).all()
    labeled = sum(1 for document_id, regions in rows if regions or document_id in with_labels)
    for copy in label_store.project_annotations(session, project.name):
        for _, _, category in copy.labels or []:
            if category in counts:
                counts[category].in_copies += 1
    return ProjectOverview(
        name=project.name, language=project.language, description=project.description,
        storage_container=project.storage_container, documents=len(rows), labeled=labeled,
        types=list(counts.values()), trained_at=project.trained_at, deployed_at=project.deployed_at)


def label_totals(context: AppContext, project_name: str) -> dict[str, int]:
    """Labeled and unlabeled document counts, for the training page's warning."""
    summary = overview(context, project_name)
    return {"documents": summary.documents, "labeled": summary.labeled, "unlabeled": summary.documents - summary.labeled}
