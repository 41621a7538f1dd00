"""Azure's wire shapes for training and evaluation, both ways: evaluation options in, and out the training job's
state, the evaluation summary, per-document evaluation results and the model-evaluation job's result."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from customner.api.authoring.render import job_state
from customner.clock import iso_precise
from customner.ner.offsets import OffsetMapper, StringIndexType
from customner.services.evaluation import EvaluationOptions, EvaluationSummary
from customner.services.model_evaluation import EvaluationJobState
from customner.services.training import PhaseState, TrainingJob, TrainingState

PROJECT_KIND = "CustomEntityRecognition"


class EvaluationOptionsBody(BaseModel):
    kind: str = "percentage"
    training_split_percentage: int = Field(80, alias="trainingSplitPercentage")
    testing_split_percentage: int = Field(20, alias="testingSplitPercentage")

    def options(self) -> EvaluationOptions:
        return EvaluationOptions(kind=self.kind, training_split_percentage=self.training_split_percentage,
                                 testing_split_percentage=self.testing_split_percentage)


def evaluation_options(options: EvaluationOptions) -> dict[str, Any]:
    """A manual split has no percentages on the wire."""
    if options.kind == "manual":
        return {"kind": "manual"}
    return {"kind": options.kind, "trainingSplitPercentage": options.training_split_percentage,
            "testingSplitPercentage": options.testing_split_percentage}


def _phase(phase: PhaseState) -> dict[str, Any]:
    body: dict[str, Any] = {"percentComplete": phase.percent_complete, "status": phase.status.value}
    if phase.started_at is not None:
        body["startDateTime"] = iso_precise(phase.started_at)
    if phase.ended_at is not None:
        body["endDateTime"] = iso_precise(phase.ended_at)
    return body


def training_result(state: TrainingState) -> dict[str, Any]:
    body: dict[str, Any] = {"modelLabel": state.model_label, "trainingConfigVersion": state.training_config_version,
                            "trainingStatus": _phase(state.training), "evaluationStatus": _phase(state.evaluation)}
    if state.estimated_end is not None:
        body["estimatedEndDateTime"] = iso_precise(state.estimated_end)
    return body


def training_job(job: TrainingJob) -> dict[str, Any]:
    """Azure's TrainingJobState."""
    return job_state(job.record, {"result": training_result(job.state)})


def evaluation_job_result(state: EvaluationJobState) -> dict[str, Any]:
    """Azure's EvaluationJobResult: the options, the model, and how far the job is."""
    return {"evaluationOptions": evaluation_options(state.evaluation_options), "modelLabel": state.model_label,
            "trainingConfigVersion": state.training_config_version, "percentComplete": state.percent_complete}


def evaluation_summary(summary: EvaluationSummary) -> dict[str, Any]:
    """Azure's EvaluationSummary, with customner's extensions beside Azure's fields (clients ignore unknown keys)."""
    confusion = {gold: {predicted: {"normalizedValue": cell.row_percent, "rawValue": cell.count}
                        for predicted, cell in row.items()}
                 for gold, row in summary.confusion.items()}
    entities = {name: {"f1": e.f1, "precision": e.precision, "recall": e.recall,
                       "truePositiveCount": e.true_positive_count, "trueNegativeCount": 0,
                       "falsePositiveCount": e.false_positive_count, "falseNegativeCount": e.false_negative_count,
                       "trainLabelCount": e.train_label_count, "testLabelCount": e.test_label_count}
                for name, e in summary.entities.items()}
    return {
        "projectKind": PROJECT_KIND,
        "customEntityRecognitionEvaluation": {
            "confusionMatrix": confusion,
            "entities": entities,
            "microF1": summary.micro.f1, "microPrecision": summary.micro.precision, "microRecall": summary.micro.recall,
            "macroF1": summary.macro.f1, "macroPrecision": summary.macro.precision, "macroRecall": summary.macro.recall,
            "microF1ConfidenceInterval95": {"lower": summary.micro_f1_ci95.lower, "upper": summary.micro_f1_ci95.upper},
            "expectedCalibrationError": summary.expected_calibration_error,
            "testDocumentCount": summary.test_document_count,
            "warnings": [{"code": w.code, "category": w.category, "message": w.message} for w in summary.warnings],
        },
        "evaluationOptions": evaluation_options(summary.options),
    }


def evaluated_document(location: str, language: str | None, regions: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """One test document's expected and predicted entities, offsets in UTF-16 code units."""
    mapper = OffsetMapper(text, StringIndexType.UTF16_CODE_UNIT)

    def entity(span: dict[str, Any]) -> dict[str, Any]:
        start, end = mapper.from_code_points(int(span["start"])), mapper.from_code_points(int(span["end"]))
        return {"category": span["category"], "offset": start, "length": end - start}

    entities = []
    for region in regions:
        offset, end = mapper.from_code_points(region["start"]), mapper.from_code_points(region["end"])
        entities.append({"regionOffset": offset, "regionLength": end - offset,
                         "expectedEntities": [entity(s) for s in region["expected"]],
                         "predictedEntities": [entity(s) for s in region["predicted"]]})
    return {"projectKind": PROJECT_KIND, "location": location, "language": language,
            "customEntityRecognitionResult": {"entities": entities}}
