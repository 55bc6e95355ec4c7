"""Reading a posted form: small, UTF-8, single-line fields, or refused before any use."""

import re
from urllib.parse import parse_qsl

from fastapi import Request

from shared.kit.http import media_type_of

MAX_FORM_BYTES = 16_384
MAX_FIELDS = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newlines are text


class FormUnreadable(Exception):
    """A form body we do not read: too large, not urlencoded UTF-8, control characters."""


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an urlencoded POST; the first value of a repeated field counts."""
    kind, _ = media_type_of(request.headers.get("content-type", ""))
    if kind != "application/x-www-form-urlencoded":
        raise FormUnreadable("not a form")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormUnreadable("too large")
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise FormUnreadable("not UTF-8") from exc
    fields: dict[str, str] = {}
    for name, value in pairs:
        if _CONTROL.search(name) or _CONTROL.search(value):
            raise FormUnreadable("control character")
        fields.setdefault(name, value)
    return fields
