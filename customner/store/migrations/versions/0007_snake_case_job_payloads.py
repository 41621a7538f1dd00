"""snake_case job payloads: authoring jobs keep the services' own keys, not Azure's camelCase (issue 9)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Frozen here, by kind: what the services' payload and result keys were called, and are called from now on.
PAYLOAD_KEYS: dict[str, dict[str, str]] = {
    'deploy': {'deploymentName': 'deployment_name', 'modelLabel': 'model_label'},
    'delete-deployment': {'deploymentName': 'deployment_name'},
    'swap': {'firstDeploymentName': 'first_deployment_name', 'secondDeploymentName': 'second_deployment_name'},
    'delete-project': {'projectName': 'project_name'},
    'import': {'projectFile': 'project_file'},
    'export': {'modelLabel': 'model_label'},
    'copy-project': {'targetProjectName': 'target_project_name', 'accessToken': 'access_token',
                     'targetResourceId': 'target_url'},
    'load-snapshot': {'modelLabel': 'model_label'},
}
RESULT_KEYS: dict[str, dict[str, str]] = {'export': {'exportKey': 'export_key'}}

jobs = sa.table('jobs', sa.column('id', sa.String), sa.column('kind', sa.String), sa.column('payload', sa.JSON),
                sa.column('result', sa.JSON))


def renamed(data: Any, names: dict[str, str]) -> Any:
    """``data`` with its top-level keys renamed (values, such as an Azure project file, stay as they are)."""
    if not isinstance(data, dict):
        return data
    return {names.get(key, key): value for key, value in data.items()}


def convert(kind: str, payload: Any, result: Any, *, reverse: bool = False) -> tuple[Any, Any]:
    """One job's payload and result in the new shape (or, with ``reverse``, the old one)."""
    def flip(names: dict[str, str]) -> dict[str, str]:
        return {new: old for old, new in names.items()} if reverse else names
    return renamed(payload, flip(PAYLOAD_KEYS.get(kind, {}))), renamed(result, flip(RESULT_KEYS.get(kind, {})))


def _rewrite(reverse: bool) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.result)
                              .where(jobs.c.kind.in_(list(PAYLOAD_KEYS)))).fetchall()
    for job_id, kind, payload, result in rows:
        new_payload, new_result = convert(kind, payload, result, reverse=reverse)
        if (new_payload, new_result) != (payload, result):
            connection.execute(sa.update(jobs).where(jobs.c.id == job_id).values(payload=new_payload, result=new_result))


def upgrade() -> None:
    _rewrite(reverse=False)


def downgrade() -> None:
    _rewrite(reverse=True)
