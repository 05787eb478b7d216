"""The API's JSON parser: a body nested deeper than ``LEARNFLOW_JSON_MAX_DEPTH`` is refused with 400."""

import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# A JSON string (escapes included) or one bracket: strings are skipped whole, so a bracket inside
# one never counts.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``max_depth``, found without recursion
    and stopping at the first bracket too deep."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif token in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """No JSON body reaches a 5xx: arrays and objects nested deeper than
    ``LEARNFLOW_JSON_MAX_DEPTH`` (32) are refused with a 400 naming the limit, before the body is
    parsed, so neither the parser nor any validator walking the data can run out of stack. Every
    JSON endpoint (the token views included) parses with this class."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        max_depth = settings.LEARNFLOW_JSON_MAX_DEPTH
        try:
            text = stream.read().decode(encoding)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth_exceeds(text, max_depth):
            raise ParseError(f"JSON parse error - arrays and objects nest deeper than {max_depth} levels.")
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
