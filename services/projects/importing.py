"""Bulk import of projects from CSV or JSON Lines: every row valid, or nothing."""

import csv
import io
import json
from typing import Any

from pydantic import ValidationError

from services.projects.schemas import ProjectCreate
from shared.kit.http import InvalidInput, LotseError, UnsupportedMediaType

CSV_TYPES = ("text/csv",)
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")

# CSV cells that hold lists separate their items with ";".
CSV_LIST_FIELDS = ("topics", "target_groups", "partner_municipalities", "tags")
# A CSV row names its contact person in flat columns.
CSV_CONTACT_FIELDS = {
    "contact_name": "name",
    "contact_role": "role",
    "contact_email": "email",
    "contact_phone": "phone",
}


def _row_errors(line: int, exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "line": line,
            "field": ".".join(str(p) for p in err["loc"]) or "(row)",
            "message": err["msg"],
        }
        for err in exc.errors()
    ]


def _csv_record(row: dict[str, str | None]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    contact: dict[str, str] = {}
    for column, raw in row.items():
        if column is None:
            raise ValueError("the row has more cells than the header has columns")
        value = (raw or "").strip()
        if column in CSV_CONTACT_FIELDS:
            if value:
                contact[CSV_CONTACT_FIELDS[column]] = value
        elif column in CSV_LIST_FIELDS:
            record[column] = [item.strip() for item in value.split(";") if item.strip()]
        elif value:
            record[column] = value
    if contact:
        record["contact"] = contact
    return record


def _records(body: bytes, content_type: str) -> list[tuple[int, dict[str, Any] | str]]:
    """(line, record or the reason it could not be read) of every data row."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LotseError("The import must be UTF-8 text.") from exc
    if content_type in CSV_TYPES:
        reader = csv.DictReader(io.StringIO(text))
        rows: list[tuple[int, dict[str, Any] | str]] = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return rows
            except csv.Error as exc:  # the rest of the file cannot be read reliably
                rows.append((reader.line_num, f"not valid CSV: {exc}"))
                return rows
            try:
                rows.append((reader.line_num, _csv_record(row)))
            except ValueError as exc:
                rows.append((reader.line_num, str(exc)))
    if content_type in JSONL_TYPES:
        rows = []
        # Only "\n" ends a record: JSON strings may hold other line separators.
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append((number, f"not valid JSON: {exc.msg}"))
                continue
            except (ValueError, RecursionError):  # huge numbers, absurd nesting
                rows.append((number, "not JSON this API accepts"))
                continue
            rows.append((number, value if isinstance(value, dict) else "not a JSON object"))
        return rows
    raise UnsupportedMediaType(
        "Send text/csv or application/x-ndjson (JSON Lines) to import projects."
    )


def parse_import(
    body: bytes, content_type: str, *, max_rows: int
) -> tuple[list[tuple[int, ProjectCreate]], list[dict[str, Any]]]:
    """Validate every row: the valid rows with their lines, and each bad row's problems."""
    rows = _records(body, content_type.split(";")[0].strip().lower())
    if not rows:
        raise InvalidInput("The import holds no rows.")
    if len(rows) > max_rows:
        raise InvalidInput(f"An import may hold at most {max_rows} rows; this one has {len(rows)}.")
    projects: list[tuple[int, ProjectCreate]] = []
    errors: list[dict[str, Any]] = []
    for line, record in rows:
        if isinstance(record, str):
            errors.append({"line": line, "field": "(row)", "message": record})
            continue
        try:
            projects.append((line, ProjectCreate.model_validate(record)))
        except ValidationError as exc:
            errors.extend(_row_errors(line, exc))
    return projects, errors
