"""What a training request asks for: the model label, the config version and how to split off a test set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class EvaluationOptions:
    kind: str = "percentage"
    training_split_percentage: int = 80
    testing_split_percentage: int = 20

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> EvaluationOptions:
        return cls(kind=wire.get("kind", "percentage"), training_split_percentage=wire.get("trainingSplitPercentage", 80),
                   testing_split_percentage=wire.get("testingSplitPercentage", 20))

    def to_wire(self) -> dict[str, Any]:
        if self.kind == "manual":
            return {"kind": "manual"}
        return {"kind": "percentage", "trainingSplitPercentage": self.training_split_percentage,
                "testingSplitPercentage": self.testing_split_percentage}


@dataclass
class TrainingOptions:
    model_label: str
    config_version: str = "latest"
    evaluation: EvaluationOptions = field(default_factory=EvaluationOptions)
    seed: int = 0
