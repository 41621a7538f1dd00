"""Response shapes, for ``/openapi.json`` only: routes build their bodies in the render modules.

They follow Azure's specs (GA 2022-05-01/2023-04-01 authoring, GA and v3.2-preview.2 runtime). Extra keys are
allowed, as Azure adds fields over versions and clients ignore the ones they do not know.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")


# ------------------------------------------------------------------ errors

class InnerError(_Wire):
    code: str
    message: str
    details: dict[str, str] | None = None
    target: str | None = None


class Error(_Wire):
    code: str
    message: str
    target: str | None = None
    details: list[dict[str, Any]] | None = None
    innererror: InnerError | None = None


class ErrorResponse(_Wire):
    """Azure's error envelope; the SDKs surface ``innererror`` when present."""

    error: Error


# ------------------------------------------------------------------ runtime

class Entity(_Wire):
    text: str
    category: str
    subcategory: str | None = None
    offset: int
    length: int
    confidence_score: float = Field(alias="confidenceScore")


class DocumentStatistics(_Wire):
    characters_count: int = Field(alias="charactersCount")
    transactions_count: int = Field(alias="transactionsCount")


class RequestStatistics(_Wire):
    documents_count: int = Field(alias="documentsCount")
    valid_documents_count: int = Field(alias="validDocumentsCount")
    erroneous_documents_count: int = Field(alias="erroneousDocumentsCount")
    transactions_count: int = Field(alias="transactionsCount")


class Warning(_Wire):  # noqa: A001 - Azure's name
    code: str
    message: str
    target_ref: str | None = Field(None, alias="targetRef")


class EntitiesDocument(_Wire):
    id: str
    entities: list[Entity]
    warnings: list[Warning]
    statistics: DocumentStatistics | None = None


class DocumentError(_Wire):
    id: str
    error: Error


class CustomEntitiesResult(_Wire):
    documents: list[EntitiesDocument]
    errors: list[DocumentError]
    statistics: RequestStatistics | None = None
    project_name: str = Field(alias="projectName")
    deployment_name: str = Field(alias="deploymentName")


class TaskCounts(_Wire):
    completed: int
    failed: int
    in_progress: int = Field(alias="inProgress")
    total: int


class GaTaskItem(_Wire):
    kind: str = Field(description="CustomEntityRecognitionLROResults")
    task_name: str | None = Field(None, alias="taskName")
    last_update_date_time: str = Field(alias="lastUpdateDateTime")
    status: str
    results: CustomEntitiesResult | None = None


class GaTasks(TaskCounts):
    items: list[GaTaskItem]


class _RuntimeJob(_Wire):
    job_id: str = Field(alias="jobId")
    created_date_time: str = Field(alias="createdDateTime")
    expiration_date_time: str | None = Field(None, alias="expirationDateTime")
    status: str
    errors: list[Error]
    display_name: str | None = Field(None, alias="displayName")
    statistics: RequestStatistics | None = None


class AnalyzeTextJobState(_RuntimeJob):
    """GA job: results paged 20 documents per task, ``nextLink`` while more remain."""

    last_updated_date_time: str = Field(alias="lastUpdatedDateTime")
    tasks: GaTasks
    next_link: str | None = Field(None, alias="nextLink")


class V32TaskItem(_Wire):
    task_name: str | None = Field(None, alias="taskName")
    last_update_date_time: str = Field(alias="lastUpdateDateTime")
    state: str
    status: str | None = None
    results: CustomEntitiesResult | None = None


class V32Tasks(TaskCounts):
    custom_entity_recognition_tasks: list[V32TaskItem] = Field(alias="customEntityRecognitionTasks")


class AnalyzeJobState(_RuntimeJob):
    """v3.2-preview.2 job: task items carry ``state`` as the real service did."""

    last_update_date_time: str = Field(alias="lastUpdateDateTime")
    tasks: V32Tasks
    next_link: str | None = Field(None, alias="@nextLink")


# ------------------------------------------------------------------ authoring

class JobState(_Wire):
    job_id: str = Field(alias="jobId")
    created_date_time: str = Field(alias="createdDateTime")
    last_updated_date_time: str = Field(alias="lastUpdatedDateTime")
    expiration_date_time: str | None = Field(None, alias="expirationDateTime")
    status: str
    warnings: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[Error] = Field(default_factory=list)


class ExportJobState(JobState):
    result_url: str | None = Field(None, alias="resultUrl")


class SubTrainingJobState(_Wire):
    percent_complete: int = Field(alias="percentComplete")
    start_date_time: str | None = Field(None, alias="startDateTime")
    end_date_time: str | None = Field(None, alias="endDateTime")
    status: str


class TrainingJobResult(_Wire):
    model_label: str = Field(alias="modelLabel")
    training_config_version: str = Field(alias="trainingConfigVersion")
    training_status: SubTrainingJobState = Field(alias="trainingStatus")
    evaluation_status: SubTrainingJobState | None = Field(None, alias="evaluationStatus")
    estimated_end_date_time: str | None = Field(None, alias="estimatedEndDateTime")


class TrainingJobState(JobState):
    result: TrainingJobResult


class Project(_Wire):
    """Azure's ProjectMetadata (the project file's metadata plus dates)."""

    project_kind: str = Field(alias="projectKind")
    storage_input_container_name: str = Field(alias="storageInputContainerName")
    project_name: str = Field(alias="projectName")
    language: str
    multilingual: bool | None = None
    description: str | None = None
    settings: dict[str, Any] | None = None
    created_date_time: str = Field(alias="createdDateTime")
    last_modified_date_time: str = Field(alias="lastModifiedDateTime")
    last_trained_date_time: str | None = Field(None, alias="lastTrainedDateTime")
    last_deployed_date_time: str | None = Field(None, alias="lastDeployedDateTime")


class TrainedModel(_Wire):
    label: str
    model_id: str = Field(alias="modelId")
    last_trained_date_time: str = Field(alias="lastTrainedDateTime")
    last_training_duration_in_seconds: int = Field(alias="lastTrainingDurationInSeconds")
    model_expiration_date: str = Field(alias="modelExpirationDate")
    model_training_config_version: str = Field(alias="modelTrainingConfigVersion")
    has_snapshot: bool | None = Field(None, alias="hasSnapshot", description="2023-04-01 and later")


class ProjectDeployment(_Wire):
    deployment_name: str = Field(alias="deploymentName")
    model_id: str = Field(alias="modelId")
    last_trained_date_time: str = Field(alias="lastTrainedDateTime")
    last_deployed_date_time: str = Field(alias="lastDeployedDateTime")
    deployment_expiration_date: str = Field(alias="deploymentExpirationDate")
    model_training_config_version: str = Field(alias="modelTrainingConfigVersion")


class ConfusionCell(_Wire):
    normalized_value: float = Field(alias="normalizedValue")
    raw_value: float = Field(alias="rawValue")


class EntityEvaluation(_Wire):
    f1: float
    precision: float
    recall: float
    true_positive_count: int = Field(alias="truePositiveCount")
    true_negative_count: int = Field(alias="trueNegativeCount")
    false_positive_count: int = Field(alias="falsePositiveCount")
    false_negative_count: int = Field(alias="falseNegativeCount")


class EntityRecognitionEvaluation(_Wire):
    confusion_matrix: dict[str, dict[str, ConfusionCell]] = Field(alias="confusionMatrix")
    entities: dict[str, EntityEvaluation]
    micro_f1: float = Field(alias="microF1")
    micro_precision: float = Field(alias="microPrecision")
    micro_recall: float = Field(alias="microRecall")
    macro_f1: float = Field(alias="macroF1")
    macro_precision: float = Field(alias="macroPrecision")
    macro_recall: float = Field(alias="macroRecall")


class EvaluationSummary(_Wire):
    project_kind: str = Field(alias="projectKind")
    custom_entity_recognition_evaluation: EntityRecognitionEvaluation = Field(alias="customEntityRecognitionEvaluation")
    evaluation_options: dict[str, Any] | None = Field(None, alias="evaluationOptions")


class EvaluatedEntity(_Wire):
    category: str
    offset: int
    length: int


class EvaluatedRegion(_Wire):
    region_offset: int = Field(alias="regionOffset")
    region_length: int = Field(alias="regionLength")
    expected_entities: list[EvaluatedEntity] = Field(alias="expectedEntities")
    predicted_entities: list[EvaluatedEntity] = Field(alias="predictedEntities")


class EvaluatedDocumentResult(_Wire):
    entities: list[EvaluatedRegion]


class DocumentEvaluationResult(_Wire):
    project_kind: str = Field(alias="projectKind")
    location: str
    language: str | None = None
    custom_entity_recognition_result: EvaluatedDocumentResult = Field(alias="customEntityRecognitionResult")


class Language(_Wire):
    language_name: str = Field(alias="languageName")
    language_code: str = Field(alias="languageCode")


class TrainingConfigVersion(_Wire):
    training_config_version: str = Field(alias="trainingConfigVersion")
    model_expiration_date: str = Field(alias="modelExpirationDate")


class _Page(_Wire):
    next_link: str | None = Field(alias="nextLink")


class ProjectsPage(_Page):
    value: list[Project]


class TrainingJobsPage(_Page):
    value: list[TrainingJobState]


class ModelsPage(_Page):
    value: list[TrainedModel]


class DeploymentsPage(_Page):
    value: list[ProjectDeployment]


class EvaluationResultsPage(_Page):
    value: list[DocumentEvaluationResult]


class LanguagesPage(_Page):
    value: list[Language]


class TrainingConfigVersionsPage(_Page):
    value: list[TrainingConfigVersion]


class AssignedDeployment(_Wire):
    deployment_name: str = Field(alias="deploymentName")
    last_deployed_date_time: str = Field(alias="lastDeployedDateTime")
    deployment_expiration_date: str = Field(alias="deploymentExpirationDate")


class AssignedProjectDeployments(_Wire):
    project_name: str = Field(alias="projectName")
    deployments_metadata: list[AssignedDeployment] = Field(alias="deploymentsMetadata")


class AssignedDeploymentsPage(_Page):
    value: list[AssignedProjectDeployments]


class PrebuiltEntity(_Wire):
    category: str
    description: str
    examples: str


class PrebuiltEntitiesPage(_Page):
    value: list[PrebuiltEntity]


class EvaluationJobResult(_Wire):
    evaluation_options: dict[str, Any] = Field(alias="evaluationOptions")
    model_label: str = Field(alias="modelLabel")
    training_config_version: str = Field(alias="trainingConfigVersion")
    percent_complete: int = Field(alias="percentComplete")


class EvaluationJobState(JobState):
    result: EvaluationJobResult


class CopyProjectDetails(_Wire):
    """What ``:authorize-copy`` returns on the target and ``:copy`` takes on the source."""

    project_kind: str = Field(alias="projectKind")
    target_project_name: str = Field(alias="targetProjectName")
    access_token: str = Field(alias="accessToken")
    expires_at: str = Field(alias="expiresAt")
    target_resource_id: str = Field(alias="targetResourceId", description="customner: the target server's base URL")
    target_resource_region: str = Field(alias="targetResourceRegion")


class StorageFile(_Wire):
    name: str


class StorageListing(_Wire):
    value: list[StorageFile]


def ok(model: type[BaseModel], description: str = "Success") -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": description}}


ACCEPTED = {202: {"description": "Accepted: empty body; the job URL (with api-version) in `operation-location`.",
                  "headers": {"operation-location": {"schema": {"type": "string", "format": "uri"},
                                                     "description": "Absolute URL of the job to poll."}}}}
