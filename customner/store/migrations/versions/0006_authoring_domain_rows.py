"""authoring domain rows: training and evaluation state stored in customner's own snake_case shape (issue 9)

Until now train and model-evaluation jobs (payload and result) and models (evaluation summary and options) stored
Azure's camelCase wire shape. They now store the dump of customner's domain types, and ``api/`` renders Azure's
shape. The conversion is frozen here, not imported, so later changes to the services cannot change what this
revision does. Rows already in the new shape (or empty) are left alone, so running it twice is harmless.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JOB_KINDS = ('train', 'evaluate-model')
Row = dict[str, Any]

jobs = sa.table('jobs', sa.column('id', sa.String), sa.column('kind', sa.String),
                sa.column('payload', sa.JSON), sa.column('result', sa.JSON))
models = sa.table('models', sa.column('id', sa.String), sa.column('evaluation_options', sa.JSON),
                  sa.column('evaluation_summary', sa.JSON))


# ---------------------------------------------------------------- old (Azure's camelCase) -> new


def _time(wire: str | None) -> str | None:
    """``2026-11-30T14:27:45.4417550Z`` (seven digits, the last always 0) -> ``2026-11-30T14:27:45.441755``."""
    return None if wire is None else datetime.strptime(wire[:26], '%Y-%m-%dT%H:%M:%S.%f').isoformat()


def options_row(wire: Row) -> Row:
    if 'training_split_percentage' in wire:
        return wire
    return {'kind': wire.get('kind', 'percentage'),
            'training_split_percentage': wire.get('trainingSplitPercentage', 80),
            'testing_split_percentage': wire.get('testingSplitPercentage', 20)}


def _phase_row(wire: Row) -> Row:
    return {'status': wire['status'], 'percent_complete': wire.get('percentComplete', 0),
            'started_at': _time(wire.get('startDateTime')), 'ended_at': _time(wire.get('endDateTime'))}


def training_payload_row(wire: Row) -> Row:
    if 'modelLabel' not in wire:
        return wire
    return {'model_label': wire['modelLabel'],
            'requested_config_version': wire.get('requestedConfigVersion', wire['trainingConfigVersion']),
            'training_config_version': wire['trainingConfigVersion'], 'seed': wire.get('seed', 0),
            'evaluation_options': options_row(wire.get('evaluationOptions') or {})}


def training_result_row(wire: Row) -> Row:
    if 'trainingStatus' not in wire:
        return wire
    return {'model_label': wire['modelLabel'], 'training_config_version': wire['trainingConfigVersion'],
            'training': _phase_row(wire['trainingStatus']), 'evaluation': _phase_row(wire['evaluationStatus']),
            'estimated_end': _time(wire.get('estimatedEndDateTime'))}


def evaluation_payload_row(wire: Row) -> Row:
    if 'modelLabel' not in wire:
        return wire
    return {'model_label': wire['modelLabel'], 'training_config_version': wire['trainingConfigVersion'],
            'evaluation_options': options_row(wire.get('evaluationOptions') or {})}


def _scores_row(evaluation: Row, prefix: str) -> Row:
    return {'f1': evaluation[f'{prefix}F1'], 'precision': evaluation[f'{prefix}Precision'],
            'recall': evaluation[f'{prefix}Recall']}


def summary_row(wire: Row) -> Row:
    if 'customEntityRecognitionEvaluation' not in wire:
        return wire
    evaluation = wire['customEntityRecognitionEvaluation']
    interval = evaluation.get('microF1ConfidenceInterval95') or {'lower': 0.0, 'upper': 0.0}
    return {
        'confusion': {gold: {predicted: {'count': cell['rawValue'], 'row_percent': cell['normalizedValue']}
                             for predicted, cell in row.items()}
                      for gold, row in evaluation.get('confusionMatrix', {}).items()},
        'entities': {name: {'f1': e['f1'], 'precision': e['precision'], 'recall': e['recall'],
                            'true_positive_count': e['truePositiveCount'],
                            'false_positive_count': e['falsePositiveCount'],
                            'false_negative_count': e['falseNegativeCount'],
                            'train_label_count': e.get('trainLabelCount', 0),
                            'test_label_count': e.get('testLabelCount', 0)}
                     for name, e in evaluation.get('entities', {}).items()},
        'micro': _scores_row(evaluation, 'micro'), 'macro': _scores_row(evaluation, 'macro'),
        'micro_f1_ci95': {'lower': interval['lower'], 'upper': interval['upper']},
        'expected_calibration_error': evaluation.get('expectedCalibrationError', 0.0),
        'test_document_count': evaluation.get('testDocumentCount', 0),
        'warnings': [{'code': w['code'], 'category': w['category'], 'message': w['message']}
                     for w in evaluation.get('warnings', [])],
        'options': options_row(wire.get('evaluationOptions') or {}),
    }


# ---------------------------------------------------------------- new -> old, for a downgrade


def _wire_time(row: str | None) -> str | None:
    return None if row is None else datetime.fromisoformat(row).strftime('%Y-%m-%dT%H:%M:%S.%f') + '0Z'


def options_wire(row: Row) -> Row:
    if 'training_split_percentage' not in row:
        return row
    if row['kind'] == 'manual':
        return {'kind': 'manual'}
    return {'kind': row['kind'], 'trainingSplitPercentage': row['training_split_percentage'],
            'testingSplitPercentage': row['testing_split_percentage']}


def _phase_wire(row: Row) -> Row:
    wire = {'percentComplete': row['percent_complete'], 'status': row['status']}
    for key, name in (('started_at', 'startDateTime'), ('ended_at', 'endDateTime')):
        if row.get(key) is not None:
            wire[name] = _wire_time(row[key])
    return wire


def training_payload_wire(row: Row) -> Row:
    if 'model_label' not in row:
        return row
    return {'modelLabel': row['model_label'], 'requestedConfigVersion': row['requested_config_version'],
            'trainingConfigVersion': row['training_config_version'], 'seed': row['seed'],
            'evaluationOptions': options_wire(row['evaluation_options'])}


def training_result_wire(row: Row) -> Row:
    if 'training' not in row:
        return row
    wire = {'modelLabel': row['model_label'], 'trainingConfigVersion': row['training_config_version'],
            'trainingStatus': _phase_wire(row['training']), 'evaluationStatus': _phase_wire(row['evaluation'])}
    if row.get('estimated_end') is not None:
        wire['estimatedEndDateTime'] = _wire_time(row['estimated_end'])
    return wire


def evaluation_payload_wire(row: Row) -> Row:
    if 'model_label' not in row:
        return row
    return {'modelLabel': row['model_label'], 'trainingConfigVersion': row['training_config_version'],
            'evaluationOptions': options_wire(row['evaluation_options'])}


def summary_wire(row: Row) -> Row:
    if 'confusion' not in row:
        return row
    scores = {f'{prefix}{name}': row[prefix][key] for prefix in ('micro', 'macro')
              for name, key in (('F1', 'f1'), ('Precision', 'precision'), ('Recall', 'recall'))}
    return {
        'projectKind': 'CustomEntityRecognition',
        'customEntityRecognitionEvaluation': {
            'confusionMatrix': {gold: {predicted: {'normalizedValue': cell['row_percent'], 'rawValue': cell['count']}
                                       for predicted, cell in cells.items()}
                                for gold, cells in row['confusion'].items()},
            'entities': {name: {'f1': e['f1'], 'precision': e['precision'], 'recall': e['recall'],
                                'truePositiveCount': e['true_positive_count'], 'trueNegativeCount': 0,
                                'falsePositiveCount': e['false_positive_count'],
                                'falseNegativeCount': e['false_negative_count'],
                                'trainLabelCount': e['train_label_count'], 'testLabelCount': e['test_label_count']}
                         for name, e in row['entities'].items()},
            **scores,
            'microF1ConfidenceInterval95': dict(row['micro_f1_ci95']),
            'expectedCalibrationError': row['expected_calibration_error'],
            'testDocumentCount': row['test_document_count'],
            'warnings': [dict(w) for w in row['warnings']],
        },
        'evaluationOptions': options_wire(row['options']),
    }


# ---------------------------------------------------------------- applying a direction to the rows


Convert = Callable[[Row], Row]


def _convert(payloads: dict[str, Convert], results: dict[str, Convert], options: Convert, summary: Convert) -> None:
    connection = op.get_bind()
    for job_id, kind, payload, result in connection.execute(
            sa.select(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.result).where(jobs.c.kind.in_(JOB_KINDS))).all():
        new_payload = payloads[kind](payload or {})
        new_result = results[kind](result or {})
        if (new_payload, new_result) != (payload, result):
            connection.execute(sa.update(jobs).where(jobs.c.id == job_id).values(payload=new_payload, result=new_result))
    for model_id, evaluation_options, evaluation_summary in connection.execute(
            sa.select(models.c.id, models.c.evaluation_options, models.c.evaluation_summary)).all():
        new_options = options(evaluation_options) if evaluation_options else evaluation_options
        new_summary = summary(evaluation_summary or {})
        if (new_options, new_summary) != (evaluation_options, evaluation_summary):
            connection.execute(sa.update(models).where(models.c.id == model_id).values(
                evaluation_options=new_options, evaluation_summary=new_summary))


def upgrade() -> None:
    _convert({'train': training_payload_row, 'evaluate-model': evaluation_payload_row},
             {'train': training_result_row, 'evaluate-model': lambda result: result},
             options_row, summary_row)


def downgrade() -> None:
    _convert({'train': training_payload_wire, 'evaluate-model': evaluation_payload_wire},
             {'train': training_result_wire, 'evaluate-model': lambda result: result},
             options_wire, summary_wire)
