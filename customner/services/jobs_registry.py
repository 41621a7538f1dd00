"""Importing this module registers every job function with the job engine."""

from customner.services import analysis, copying, deployments, model_evaluation, models, projects, training, transfer

__all__ = ["analysis", "copying", "deployments", "model_evaluation", "models", "projects", "training", "transfer"]
