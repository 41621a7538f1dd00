"""Importing this module registers every job function with the job engine."""

from customner.services import analysis, deployments, models, projects, training, transfer

__all__ = ["analysis", "deployments", "models", "projects", "training", "transfer"]
