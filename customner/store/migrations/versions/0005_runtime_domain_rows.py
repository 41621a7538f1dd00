"""runtime domain rows: analyze jobs keep domain data, not Azure's wire shape (issue 9)

Analyze job rows stored Azure-shaped camelCase results (``projectName``, ``confidenceScore``, ``statistics``, task
errors with their surface's ``target``) and the submitting surface in the payload. They now hold the snake_case
types of ``services/analysis.py``; ``api/runtime_render.py`` writes the wire shape. The task errors no longer sit
in ``jobs.errors`` too (the renderer lists them from the tasks); errors the job runner recorded stay there.

The conversion is frozen here: it must keep converting these rows whatever the service becomes.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The surface names the payload's old "surface" values became (api/surfaces.py).
_SURFACES = {'ga': 'runtime-ga', 'v3.2': 'runtime-v3.2'}
_POINTERS = {'runtime-ga': '#/tasks/items/{}', 'runtime-v3.2': '#/tasks/customEntityRecognitionTasks/{}'}


def _timestamp(value: str) -> str:
    """``2026-11-30T15:44:32.3384760Z`` (7 digits, as Azure writes) to ``2026-11-30T15:44:32.338476``."""
    whole, dot, fraction = value.removesuffix('Z').partition('.')
    return whole + dot + fraction[:6]


def _wire_timestamp(value: str) -> str:
    whole, _, fraction = value.partition('.')
    return f'{whole}.{(fraction + "000000")[:6]}0Z'


def _error(error: dict[str, Any]) -> dict[str, Any]:
    inner = error.get('innererror')
    return {'code': error['code'], 'message': error['message'],
            'inner_code': inner['code'] if inner else None, 'inner_message': inner['message'] if inner else None}


def _wire_error(error: dict[str, Any], target: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {'code': error['code'], 'message': error['message']}
    if error.get('inner_code') is not None:
        body['innererror'] = {'code': error['inner_code'], 'message': error['inner_message']}
    if target is not None:
        body['target'] = target
    return body


def _task(task: dict[str, Any]) -> dict[str, Any]:
    new: dict[str, Any] = {
        'name': task['name'], 'project_name': task['projectName'], 'deployment_name': task['deploymentName'],
        'status': task['status'], 'last_update': _timestamp(task['lastUpdate']), 'documents': None,
        'document_errors': [], 'error': _error(task['error']) if task.get('error') else None,
    }
    if 'documents' in task:
        new['documents'] = [
            {'id': document['id'], 'characters': document['statistics']['charactersCount'],
             'entities': [{'text': entity['text'], 'category': entity['category'], 'offset': entity['offset'],
                           'length': entity['length'], 'confidence': entity['confidenceScore']}
                          for entity in document['entities']]}
            for document in task['documents']]
        new['document_errors'] = [{'id': problem['id'], 'error': _error(problem['error'])}
                                  for problem in task.get('errors', [])]
    return new


def _wire_task(task: dict[str, Any], pointer: str, index: int) -> dict[str, Any]:
    old: dict[str, Any] = {
        'name': task['name'], 'projectName': task['project_name'], 'deploymentName': task['deployment_name'],
        'status': task['status'], 'lastUpdate': _wire_timestamp(task['last_update']),
    }
    if task.get('error'):
        old['error'] = _wire_error(task['error'], pointer.format(index))
    if task.get('documents') is not None:
        old['documents'] = [
            {'id': document['id'],
             'entities': [{'text': entity['text'], 'category': entity['category'], 'offset': entity['offset'],
                           'length': entity['length'], 'confidenceScore': round(entity['confidence'], 4)}
                          for entity in document['entities']],
             'warnings': [],
             'statistics': {'charactersCount': document['characters'],
                            'transactionsCount': max(1, -(-document['characters'] // 1000))}}
            for document in task['documents']]
        old['errors'] = [{'id': problem['id'], 'error': _wire_error(problem['error'])}
                         for problem in task['document_errors']]
    return old


def to_domain(payload: dict[str, Any], result: dict[str, Any], errors: list[Any]) -> tuple[
        dict[str, Any], dict[str, Any], list[Any]]:
    """One old analyze row's (payload, result, errors) in the new shape; a row already converted is returned as is."""
    if 'display_name' in payload or 'documents' not in payload:
        return payload, result, errors
    old_tasks = result.get('tasks', [])
    task_errors = [task['error'] for task in old_tasks if task.get('error')]
    new_payload = {
        'display_name': payload.get('displayName'), 'documents': payload['documents'], 'tasks': payload['tasks'],
        'cancel_after': payload.get('cancelAfter'), 'submitted_via': _SURFACES.get(payload.get('surface', '')),
    }
    new_result = {'tasks': [_task(task) for task in old_tasks]} if 'tasks' in result else result
    return new_payload, new_result, [error for error in errors if error not in task_errors]


def to_wire(payload: dict[str, Any], result: dict[str, Any], errors: list[Any], status: str) -> tuple[
        dict[str, Any], dict[str, Any], list[Any]]:
    """The reverse, for a downgrade: the task errors go back into ``errors`` when they ended the job."""
    if 'display_name' not in payload:
        return payload, result, errors
    surface = payload.get('submitted_via') or 'runtime-ga'
    pointer = _POINTERS.get(surface, _POINTERS['runtime-ga'])
    old_payload = {
        'displayName': payload['display_name'], 'surface': 'v3.2' if surface == 'runtime-v3.2' else 'ga',
        'documents': payload['documents'], 'tasks': payload['tasks'], 'cancelAfter': payload.get('cancel_after'),
    }
    tasks = [_wire_task(task, pointer, index) for index, task in enumerate(result.get('tasks', []))]
    old_result = {'tasks': tasks} if 'tasks' in result else result
    if status in ('failed', 'partiallyCompleted') and not errors:
        errors = [task['error'] for task in tasks if 'error' in task]
    return old_payload, old_result, errors


_UPDATE = sa.text('UPDATE jobs SET payload = :payload, result = :result, errors = :errors WHERE id = :id').bindparams(
    sa.bindparam('payload', type_=sa.JSON), sa.bindparam('result', type_=sa.JSON), sa.bindparam('errors', type_=sa.JSON))


def _load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _analyze_rows() -> list[tuple[str, str, dict[str, Any], dict[str, Any], list[Any]]]:
    rows = op.get_bind().execute(sa.text("SELECT id, status, payload, result, errors FROM jobs WHERE kind = 'analyze'"))
    return [(job_id, status, _load(payload) or {}, _load(result) or {}, _load(errors) or [])
            for job_id, status, payload, result, errors in rows.fetchall()]


def _write(job_id: str, row: tuple[dict[str, Any], dict[str, Any], list[Any]]) -> None:
    op.get_bind().execute(_UPDATE, {'payload': row[0], 'result': row[1], 'errors': row[2], 'id': job_id})


def upgrade() -> None:
    for job_id, _, payload, result, errors in _analyze_rows():
        _write(job_id, to_domain(payload, result, errors))


def downgrade() -> None:
    for job_id, status, payload, result, errors in _analyze_rows():
        _write(job_id, to_wire(payload, result, errors, status))
