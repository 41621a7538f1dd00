"""Inter-annotator agreement of a project: a customner extension of the authoring API (Azure has none)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from customner.api import wire_models as wm
from customner.api.common import AuthoringVersion, Context, json_response
from customner.api.surfaces import AUTHORING
from customner.ner.agreement import AgreementReport, Scores
from customner.services import annotators

router = APIRouter(route_class=AUTHORING.route_class, tags=["authoring: customner extensions"])


class AgreementScores(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    exact_f1: float | None = Field(alias="exactF1", description="Span F1, same start, end and type.")
    overlap_f1: float | None = Field(alias="overlapF1", description="Span F1, same type and overlapping.")
    kappa: float | None = Field(description="Token kappa (Cohen's for a pair, else as kappaKind says); null if undefined.")


class PairAgreement(AgreementScores):
    annotators: list[str]
    documents: int
    entities: dict[str, AgreementScores]


class Agreement(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    project_name: str = Field(alias="projectName")
    annotators: list[str]
    documents: int = Field(description="Documents labeled by two or more annotators.")
    kappa_kind: str | None = Field(alias="kappaKind", description="cohen (two annotators), fleiss (three or more).")
    overall: AgreementScores
    entities: dict[str, AgreementScores]
    pairs: list[PairAgreement]


def _scores(scores: Scores) -> dict[str, float | None]:
    return {"exactF1": scores.exact.f1, "overlapF1": scores.overlap.f1, "kappa": scores.kappa}


def as_wire(project_name: str, report: AgreementReport) -> dict[str, object]:
    return {
        "projectName": project_name, "annotators": report.annotators, "documents": report.documents,
        "kappaKind": report.kappa_kind, "overall": _scores(report.overall),
        "entities": {name: _scores(scores) for name, scores in report.by_type.items()},
        "pairs": [{"annotators": [pair.first, pair.second], "documents": pair.documents, **_scores(pair.overall),
                   "entities": {name: _scores(scores) for name, scores in pair.by_type.items()}} for pair in report.pairs],
    }


@router.get("/{project_name}/agreement", summary="Inter-annotator agreement (customner extension)",
            responses=wm.ok(Agreement))
def get_agreement(project_name: str, context: Context, version: AuthoringVersion) -> Response:
    return json_response(as_wire(project_name, annotators.project_agreement(context, project_name)))
