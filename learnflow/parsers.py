"""The API's JSON parser: a body nested deeper than ``LEARNFLOW_JSON_MAX_DEPTH`` is refused with 400."""

import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_NESTING = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``max_depth``. Strings are dropped
    first, so a bracket inside one never counts; the rest is counted without recursion and without
    a Python loop per character (a megabyte of brackets takes a fraction of a second)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_NESTING.__getitem__, brackets)), default=0) > max_depth


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
