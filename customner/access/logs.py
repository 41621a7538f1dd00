"""Keep keys out of logs: uvicorn's access log prints the whole query string, ``subscription-key`` included."""

from __future__ import annotations

import logging
import re

_QUERY_KEY = re.compile(r"(?i)((?:^|[?&])subscription-key=)[^&#\s]*")
REDACTED = "***"


def redact(text: str) -> str:
    return _QUERY_KEY.sub(lambda m: m.group(1) + REDACTED, text)


class RedactKeys(logging.Filter):
    """Rewrites the path argument of access records (and the message of any other record) without the key."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def hide_keys_in_access_log() -> None:
    """Install the filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactKeys) for f in logger.filters):
        logger.addFilter(RedactKeys())
