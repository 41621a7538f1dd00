"""A project's labeled documents as plain records: read from rows and blobs, written back whole, kept as a snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from customner.blobs import BlobStore
from customner.clock import utcnow
from customner.formats.azure_project import ProjectMetadata
from customner.ner.types import Span
from customner.services import projects
from customner.services.names import container_key
from customner.store.tables import Document, EntityType, Label, Project

if TYPE_CHECKING:
    from customner.context import AppContext


@dataclass
class DocumentRecord:
    """One document with its text; regions and spans in code points."""

    location: str
    text: str
    language: str | None = None
    dataset: str | None = None
    regions: list[tuple[int, int]] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    @property
    def labeled(self) -> bool:
        """Imported or saved in the Studio; a document only uploaded to a container is not."""
        return bool(self.regions or self.spans)

    def region_spans(self) -> list[tuple[int, int, list[Span]]]:
        """Each labeled window with the spans that fall inside it; the whole text when none is set."""
        regions = self.regions or [(0, len(self.text))]
        return [(start, end, [s for s in self.spans if start <= s.start and s.end <= end]) for start, end in regions]


@dataclass
class ProjectAssets:
    categories: list[str]
    documents: list[DocumentRecord]


def load_assets(session: Session, blobs: BlobStore, project: Project) -> ProjectAssets:
    documents = [
        DocumentRecord(
            location=row.location, language=row.language, dataset=row.dataset,
            text=blobs.read_text(container_key(project.storage_container, row.location)),
            regions=[(int(start), int(end)) for start, end in row.regions],
            spans=[Span(label.start, label.end, label.category) for label in row.labels],
        )
        for row in project.documents
    ]
    return ProjectAssets(categories=[entity.name for entity in project.entity_types], documents=documents)


def replace_assets(context: AppContext, project_name: str, metadata: ProjectMetadata, assets: ProjectAssets) -> None:
    """Replace a project's metadata, entity types and documents in one transaction (models stay)."""
    now = utcnow()
    with context.db.session() as session:
        project = session.get(Project, project_name)
        if project is None:
            project = Project(name=project_name, created_at=now, settings={})
            session.add(project)
        projects.apply_changes(project, projects.ProjectChanges(
            project_kind=metadata.project_kind, storage_container=metadata.storage_input_container_name,
            language=metadata.language, multilingual=metadata.multilingual,
            description=metadata.description, settings=metadata.settings))
        project.modified_at = now
        session.flush()
        session.execute(delete(EntityType).where(EntityType.project_name == project_name))
        session.execute(delete(Document).where(Document.project_name == project_name))
        for position, category in enumerate(assets.categories):
            session.add(EntityType(project_name=project_name, name=category, position=position, slot=position))
        for position, record in enumerate(assets.documents):
            session.add(Document(
                project_name=project_name, location=record.location, language=record.language,
                dataset=record.dataset, position=position, regions=[list(region) for region in record.regions],
                labels=[Label(category=s.category, start=s.start, end=s.end) for s in record.spans],
            ))


def snapshot_of(assets: ProjectAssets) -> dict[str, Any]:
    """A JSON-able copy of assets (code points), kept with each trained model."""
    return {
        "categories": assets.categories,
        "documents": [
            {"location": r.location, "language": r.language, "dataset": r.dataset, "regions": r.regions, "text": r.text,
             "spans": [[s.start, s.end, s.category] for s in r.spans]}
            for r in assets.documents
        ],
    }


def assets_from_snapshot(snapshot: dict[str, Any]) -> ProjectAssets:
    """The inverse of ``snapshot_of``."""
    return ProjectAssets(
        categories=list(snapshot.get("categories", [])),
        documents=[
            DocumentRecord(
                location=d["location"], text=d["text"], language=d.get("language"), dataset=d.get("dataset"),
                regions=[(int(a), int(b)) for a, b in d.get("regions", [])],
                spans=[Span(int(a), int(b), str(c)) for a, b, c in d.get("spans", [])],
            )
            for d in snapshot.get("documents", [])
        ],
    )
