"""A project's labeled documents as plain records, read from rows and blobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from customner.blobs import BlobStore
from customner.ner.types import Span
from customner.services.names import container_key
from customner.store.tables import Project


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
