"""Model-assisted labeling: the latest model's suggestions, rejected ones remembered, and active learning."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from customner import errors
from customner.clock import utcnow
from customner.services import projects
from customner.services.labeling import documents, label_store
from customner.services.models import ModelInfo
from customner.services.names import container_key
from customner.services.training import submission
from customner.services.training.options import EvaluationOptions, TrainingOptions
from customner.store.tables import RejectedSuggestion, TrainedModel

if TYPE_CHECKING:
    from customner.context import AppContext

# Documents scored per "next most useful" request; keeps the button fast on big projects.
MAX_SCORED_DOCUMENTS = 200
# The model Studio trains for suggestions: one label, retrained in place, so it never uses up the model quota.
SUGGESTIONS_MODEL = "suggestions"


def latest_model(context: AppContext, project_name: str) -> ModelInfo | None:
    """The project's newest model, the one that suggests labels (None before the first training)."""
    row = _latest_row(context, project_name)
    return None if row is None else ModelInfo.of(row)


def _latest_row(context: AppContext, project_name: str) -> TrainedModel | None:
    with context.db.session() as session:
        projects.get_or_raise(session, project_name)
        return session.scalars(select(TrainedModel).where(TrainedModel.project_name == project_name)
                               .order_by(TrainedModel.trained_at.desc())).first()


def train_suggestions_model(context: AppContext, project_name: str) -> str:
    """Queue a first model for suggestions: the quick schedule, 90% of the documents to train, 10% to check it."""
    options = TrainingOptions(model_label=SUGGESTIONS_MODEL, quick=True,
                              evaluation=EvaluationOptions(kind="percentage", training_split_percentage=90,
                                                           testing_split_percentage=10))
    return submission.submit(context, project_name, options)


def suggestions(context: AppContext, project_name: str, document_id: int,
                annotator: str | None = None) -> tuple[str | None, list[dict[str, Any]]]:
    """The latest model's id and its entities that overlap no saved label and were not rejected (code points)."""
    model = _latest_row(context, project_name)
    if model is None:
        return None, []
    document = documents.get_document(context, project_name, document_id, annotator)
    with context.db.session() as session:
        rejected = {(row.start, row.end, row.category) for row in session.scalars(select(RejectedSuggestion).where(
            RejectedSuggestion.document_id == document_id, RejectedSuggestion.model_id == model.id))}
    predictor = context.models.get(model.id, model.artifact_path)
    taken = [(label["start"], label["end"]) for label in document.labels]
    found = predictor.predict([document.text])[0]
    return model.id, [
        {"start": e.start, "end": e.end, "category": e.category, "confidence": round(float(e.confidence), 4)}
        for e in found
        if e.category in document.categories and (e.start, e.end, e.category) not in rejected
        and not any(e.start < end and start < e.end for start, end in taken)
    ]


def reject_suggestions(context: AppContext, project_name: str, document_id: int, model_id: str,
                       spans: list[dict[str, Any]], *, actor: str, undo: bool = False) -> int:
    """Remember (or, with ``undo``, forget) rejected suggestions of one model on one document."""
    with context.db.session() as session:
        label_store.find_document(session, project_name, document_id)
        model = session.get(TrainedModel, model_id)
        if model is None or model.project_name != project_name:
            raise errors.NotFound(f"The model '{model_id}' does not exist in project '{project_name}'.")
        wanted = set()
        for span in spans:
            try:
                wanted.add((int(span["start"]), int(span["end"]), str(span["category"])))
            except (KeyError, TypeError, ValueError) as error:
                raise errors.InvalidRequest("Each suggestion needs a start, an end and a category.") from error
        stored = {(row.start, row.end, row.category): row for row in session.scalars(select(RejectedSuggestion).where(
            RejectedSuggestion.document_id == document_id, RejectedSuggestion.model_id == model_id))}
        if undo:
            for key in wanted & set(stored):
                session.delete(stored[key])
        else:
            session.add_all(RejectedSuggestion(document_id=document_id, model_id=model_id, start=start, end=end,
                                               category=category, actor=actor, at=utcnow())
                            for start, end, category in sorted(wanted - set(stored)))
        return len(wanted)


def uncertainty(confidences: list[float]) -> float:
    """1 at confidence 0.5, 0 at 0 or 1 (Prodigy's ``prefer_uncertain``); no entity at all counts as 0.5."""
    if not confidences:
        return 0.5
    return max(1.0 - 2.0 * abs(c - 0.5) for c in confidences)


def most_useful(context: AppContext, project_name: str, exclude: int | None = None) -> list[tuple[int, float]]:
    """Unlabeled documents, most uncertain first; in project order when no model exists yet."""
    with context.db.session() as session:
        container = projects.get_or_raise(session, project_name).storage_container
        pending = [(d.id, d.location) for d in label_store.project_documents(session, project_name)
                   if not label_store.is_labeled(d) and d.id != exclude]
    model = _latest_row(context, project_name)
    if model is None or not pending:
        return [(document_id, 0.0) for document_id, _ in pending]
    scored = pending[:MAX_SCORED_DOCUMENTS]
    texts = [context.blobs.read_text(container_key(container, location)) for _, location in scored]
    predictions = context.models.get(model.id, model.artifact_path).predict(texts)
    ranked = [(document_id, uncertainty([e.confidence for e in found]))
              for (document_id, _), found in zip(scored, predictions, strict=True)]
    ranked.sort(key=lambda item: -item[1])
    return ranked + [(document_id, 0.0) for document_id, _ in pending[MAX_SCORED_DOCUMENTS:]]
