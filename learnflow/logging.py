import logging
import re
import sys


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each record, so a test runner that swaps
    and closes streams (pytest's capture) never leaves logging writing to a closed file."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class RedactTokens(logging.Filter):
    """No access token reaches a log: a ``token=`` query parameter (a WebSocket URL, which the ASGI
    server logs with its query string) and anything shaped like a JWT are replaced by ``[redacted]``
    in the record's message before any handler formats it."""

    _QUERY_TOKEN = re.compile(r"(?i)([?&;](?:access_)?token=)[^&\s\"']*")
    _JWT = re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._JWT.sub("[redacted]", self._QUERY_TOKEN.sub(r"\1[redacted]", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


#: The loggers through which the ASGI server reports connections (uvicorn logs a WebSocket's path
#: with its query string on ``uvicorn.error``, HTTP requests on ``uvicorn.access``).
SERVER_LOGGERS = ("uvicorn.error", "uvicorn.access")


def redact_server_logs() -> None:
    """Attach ``RedactTokens`` to the ASGI server's own loggers (they have their own handlers, so the
    filter on LearnFlow's handler does not see their records). Called once by ``learnflow.asgi``."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
            logger.addFilter(RedactTokens())
