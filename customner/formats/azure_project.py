"""Azure's custom NER project file (import body and export result), current and legacy shapes.

Offsets in this file are UTF-16 code units, as Azure requires (``stringIndexType: Utf16CodeUnit``).
The legacy shape (``extractors`` / ``extractorName``) still ships in Azure's own sample data.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PROJECT_KIND: Final = "CustomEntityRecognition"


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class ProjectMetadata(_Model):
    project_kind: Literal["CustomEntityRecognition"] = Field(PROJECT_KIND, alias="projectKind")
    storage_input_container_name: str = Field(alias="storageInputContainerName")
    project_name: str = Field(alias="projectName")
    multilingual: bool = False
    description: str | None = None
    language: str
    settings: dict[str, Any] = Field(default_factory=dict)


class EntityLabel(_Model):
    category: str
    offset: int = Field(ge=0)
    length: int = Field(ge=1)


class Region(_Model):
    region_offset: int = Field(0, alias="regionOffset", ge=0)
    region_length: int | None = Field(None, alias="regionLength", ge=0)
    labels: list[EntityLabel] = Field(default_factory=list)


class ProjectDocument(_Model):
    location: str
    language: str | None = None
    dataset: Literal["Train", "Test"] | None = None
    entities: list[Region] = Field(default_factory=list)
    # customner extension: the document text inline instead of in a storage container.
    text: str | None = None


class EntityCategory(_Model):
    category: str
    description: str | None = None


class Assets(_Model):
    project_kind: Literal["CustomEntityRecognition"] = Field(PROJECT_KIND, alias="projectKind")
    entities: list[EntityCategory] = Field(default_factory=list)
    documents: list[ProjectDocument] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _accept_legacy(cls, data: Any) -> Any:
        """Map the older ``extractors``/``extractorName`` shape onto the current one."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "entities" not in data and "extractors" in data:
            data["entities"] = [{"category": item.get("extractorName") or item.get("category")}
                                for item in data.pop("extractors") or []]
        documents = []
        for document in data.get("documents") or []:
            if isinstance(document, dict):
                document = dict(document)
                regions = []
                for region in document.get("entities") or document.get("extractors") or []:
                    region = dict(region) if isinstance(region, dict) else region
                    if isinstance(region, dict):
                        region["labels"] = [
                            {"category": label.get("category") or label.get("extractorName"),
                             "offset": label.get("offset"), "length": label.get("length")}
                            if isinstance(label, dict) else label
                            for label in region.get("labels") or []
                        ]
                    regions.append(region)
                document["entities"] = regions
            documents.append(document)
        data["documents"] = documents
        data.setdefault("projectKind", PROJECT_KIND)
        return data


class ProjectFile(_Model):
    project_file_version: str = Field(alias="projectFileVersion")
    string_index_type: Literal["Utf16CodeUnit"] = Field("Utf16CodeUnit", alias="stringIndexType")
    metadata: ProjectMetadata
    assets: Assets = Field(default_factory=Assets)

    @model_validator(mode="before")
    @classmethod
    def _accept_legacy_version_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and "projectFileVersion" not in data and "project-file-version" in data:
            data = dict(data, projectFileVersion=data["project-file-version"])
        return data

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)
