"""Azure's naming rules and limits, in one place.

Source: https://learn.microsoft.com/azure/ai-services/language-service/custom-named-entity-recognition/service-limits
"""

from __future__ import annotations

import re

from customner import errors

MAX_MODELS = 10
MAX_DEPLOYMENTS = 10
MAX_ENTITY_TYPES = 200
MAX_DOCUMENT_CHARACTERS = 128_000
MAX_ENTITY_LENGTH = 500

_RESOURCE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_ENTITY_FORBIDDEN = set(":$&%*()+~#/?")


def check_resource_name(kind: str, name: str, max_length: int = 50) -> None:
    if not _RESOURCE_NAME.match(name) or len(name) > max_length:
        raise errors.InvalidRequest(
            f"Invalid {kind} name '{name}'.", inner_code="InvalidParameterValue",
            inner_message=(
                f"The {kind} name may contain only letters, digits, '_', '.' and '-', with no spaces, "
                f"and be at most {max_length} characters long."
            ),
        )


# "projects/global/..." holds Azure's global operations, so no project may be called "global".
RESERVED_PROJECT_NAMES = frozenset({"global"})


def check_project_name(name: str) -> None:
    check_resource_name("project", name, max_length=100)
    if name in RESERVED_PROJECT_NAMES:
        raise errors.InvalidRequest(
            f"Invalid project name '{name}'.", inner_code="InvalidParameterValue",
            inner_message=f"'{name}' is reserved: projects/{name}/... is the path of the global authoring operations.")


def entity_name_problem(name: str) -> str | None:
    if not name or len(name) > 50:
        return f"entity type '{name}' must be 1 to 50 characters long"
    bad = sorted(set(name) & _ENTITY_FORBIDDEN)
    if bad:
        return f"entity type '{name}' contains the forbidden character(s) {' '.join(bad)}"
    return None
