"""Training: a request is checked and queued (``submission``), the job trains through ``customner.ner``
(``job``), the model is scored on the test set with its own predictor (``evaluation``) and kept (``artifacts``).

The names other modules use are re-exported here, so ``from customner.services import training`` keeps working.
"""

from customner.services.training.artifacts import model_id_for, sweep_partial_models
from customner.services.training.data import as_examples, split
from customner.services.training.evaluation import evaluate_test_set
from customner.services.training.job import run_training
from customner.services.training.options import EvaluationOptions, TrainingOptions, TrainingPayload
from customner.services.training.progress import PhaseState, TrainingState
from customner.services.training.submission import TRAIN_KIND, TrainingJob, cancel, check_evaluation_options, get_job, list_jobs, submit

__all__ = [
    "TRAIN_KIND", "EvaluationOptions", "PhaseState", "TrainingJob", "TrainingOptions", "TrainingPayload", "TrainingState",
    "as_examples", "cancel", "check_evaluation_options", "evaluate_test_set", "get_job", "list_jobs", "model_id_for",
    "run_training", "split", "submit", "sweep_partial_models",
]
