"""What a training request asks for, and what its queued job will do (the job row's payload)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from customner.services.evaluation import EvaluationOptions

__all__ = ["EvaluationOptions", "TrainingOptions", "TrainingPayload"]


@dataclass
class TrainingOptions:
    model_label: str
    config_version: str = "latest"
    evaluation: EvaluationOptions = field(default_factory=EvaluationOptions)
    seed: int = 0
    quick: bool = False  # Studio's first model for assisted labeling: the short schedule (ner.config.QUICK)


class TrainingPayload(BaseModel):
    """A checked training request with its config version resolved; rows store its dump."""

    model_config = ConfigDict(frozen=True)

    model_label: str
    requested_config_version: str
    training_config_version: str
    seed: int = 0
    evaluation_options: EvaluationOptions
    quick: bool = False
