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
# Azure Blob Storage: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
_CONTAINER_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")
MAX_FILE_NAME_LENGTH = 255
# Device names that Windows file systems (and so SMB shares) refuse, with or without an extension.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_RESERVED_FILE_STEMS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
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


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be analyzed or stored, or None: lone surrogates are not Unicode text."""
    found = _LONE_SURROGATE.search(text)  # one C-level scan: this runs on every submitted document
    if found is None:
        return None
    return f"contains a lone surrogate (U+{ord(found.group()):04X}) at character {found.start()}; text must be valid Unicode"


def check_container_name(name: str) -> None:
    """Every entry point that names a storage container comes through here (import, PATCH, /storage, Studio)."""
    if not isinstance(name, str) or not _CONTAINER_NAME.match(name):
        raise errors.InvalidRequest(
            f"Invalid storage container name {name!r}.", inner_code="InvalidParameterValue",
            inner_message="Container names are 3 to 63 lowercase letters, digits and single hyphens, starting and "
                          "ending with a letter or digit, as in Azure Blob Storage.")


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a file at the root of a container, or None. Azure reads only root-level files."""
    if not name or len(name) > MAX_FILE_NAME_LENGTH:
        return f"file name {name!r} must be 1 to {MAX_FILE_NAME_LENGTH} characters long"
    if name in {".", ".."} or name.endswith((".", " ")) or name.startswith(" "):
        return f"file name {name!r} may not be '.', '..', or start with a space or end with a dot or space"
    if any(char in "/\\" or ord(char) < 32 or ord(char) == 127 for char in name):
        return f"file name {name!r} must be a name at the root of the container (no '/', '\\' or control characters)"
    if _LONE_SURROGATE.search(name):
        return f"file name {name!r} contains a lone surrogate"
    if name.split(".")[0].lower() in _RESERVED_FILE_STEMS:
        return f"file name {name!r} is a reserved device name"
    return None


def check_file_name(name: str) -> None:
    problem = file_name_problem(name)
    if problem:
        raise errors.InvalidRequest(f"Invalid file name: {problem}.", inner_code="InvalidParameterValue")


def container_key(container: str, name: str) -> str:
    """Blob key of a text file in a storage container; both names are checked so no key leaves its container."""
    check_container_name(container)
    check_file_name(name)
    return f"storage/{container}/{name}"


def container_prefix(container: str) -> str:
    check_container_name(container)
    return f"storage/{container}"
