"""Lists as spreadsheets: the whole filtered list as CSV or XLSX instead of JSON pages.

A list route takes a `ListExport` (the `Exportable` dependency), asks it which window of
the list to load (`window`) and hands it the page it built (`answer`). For JSON nothing
changes. For an export the route loads from its usual repository query, so the same
filters and the same visibility apply, but from the start and up to the export cap
(`LOTSE_EXPORT_MAX_ROWS`, default 10,000 rows); a list longer than that is refused with a
422 that says to narrow the filters, never cut short in silence.

The format comes from `?format=csv|xlsx|json` (links from a browser or an intranet page)
or, without it, from the `Accept` header; `?format` wins because a browser sends its own
Accept. An unknown `format` is a 422 like every other bad query parameter; an `Accept`
that names none of JSON, CSV and XLSX is a 406.

Columns are the fields of the list's item model in their order; a nested object (a
contact person) becomes one column per field (`contact_name`), lists of values are
joined with ", ", lists of objects get one line per item.

CSV is written for German Excel, where most readers open it: UTF-8 with a byte order
mark (else Excel reads umlauts as cp1252), `;` between cells (German Excel's list
separator: with `,` everything lands in column A), a decimal comma, times in
Europe/Berlin as `YYYY-MM-DD HH:MM:SS`, booleans as `ja`/`nein`. Text that a
spreadsheet would take for a formula (starting with = + - @, tab, CR or LF) gets a
leading apostrophe (OWASP's CSV injection advice). XLSX keeps types: numbers,
real dates and times (Europe/Berlin; Excel has no time zones), text as text (an AGS
keeps its leading zero); formula-like text is stored as text with Excel's quote prefix,
so editing the cell does not turn it into a formula either.
"""

import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import xlsxwriter
from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from shared.kit.http import InvalidInput, LotseError, cacheable, responses

ExportFormat = Literal["json", "csv", "xlsx"]
JSON_MEDIA_TYPE = "application/json"
CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES: dict[ExportFormat, str] = {
    "json": JSON_MEDIA_TYPE,
    "csv": CSV_MEDIA_TYPE,
    "xlsx": XLSX_MEDIA_TYPE,
}
DEFAULT_MAX_ROWS = 10_000
VIEW_ZONE = ZoneInfo("Europe/Berlin")
CSV_DELIMITER = ";"
# Text a spreadsheet reads as a formula or a command (OWASP "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_MAX_TEXT = 32_767  # Excel's limit of characters in one cell
XLSX_MAX_WIDTH = 60
XLSX_MAX_INTEGER = 2**53  # larger integers, inf and NaN go in as text
EXCEL_FIRST_YEAR = 1900


class NotAcceptable(LotseError):
    """A 406: the Accept header names no format this list answers in."""

    status, slug, title = 406, "not-acceptable", "No acceptable format"


class ExportTooLarge(InvalidInput):
    """A 422: the filtered list is longer than an export may be."""

    slug, title = "export-too-large", "The export is too large"


# -- negotiation ----------------------------------------------------------------


def _media_ranges(accept: str) -> Iterator[tuple[str, float]]:
    """(media range, q) of each entry of an Accept header; unreadable q counts as 0."""
    for entry in accept.split(","):
        media_range, *parameters = (part.strip() for part in entry.split(";"))
        if not media_range:
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        yield media_range.lower(), q


def _quality(media_type: str, ranges: Sequence[tuple[str, float]]) -> float:
    """The q of `media_type` by its most specific matching range (RFC 9110 12.5.1)."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] | None = None
    for media_range, q in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best else 0.0


def negotiate(format_: ExportFormat | None, accept: str | None) -> ExportFormat:
    """The format to answer in: `?format` if given, else the best of Accept, else JSON.

    Raises NotAcceptable when Accept names none of the three (or all with q=0).
    """
    if format_ is not None:
        return format_
    ranges = list(_media_ranges(accept or ""))
    if not ranges:
        return "json"
    # JSON first: a tie (*/* from a browser) keeps the API's usual answer.
    qualities = {f: _quality(media_type, ranges) for f, media_type in MEDIA_TYPES.items()}
    best = max(qualities, key=lambda f: qualities[f])
    if qualities[best] <= 0:
        raise NotAcceptable(
            f"This list answers in {', '.join(MEDIA_TYPES.values())}; "
            f"Accept: {(accept or '')[:200]} names none of them. Or ask with ?format=csv|xlsx."
        )
    return best


# -- cells ----------------------------------------------------------------------

Cell = str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class Column:
    """One column of an export: its title and how to read its cell from a dumped item."""

    title: str
    path: tuple[str, ...]

    def cell(self, item: Mapping[str, Any]) -> Cell:
        value: Any = item
        for key in self.path:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return _cell(value)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a field that holds one object (optional or not), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is Annotated:
        return _nested_model(get_args(annotation)[0])
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, type(int | None)) and len(args) == 1:
        return _nested_model(args[0])
    return None


def columns_of(model: type[BaseModel]) -> list[Column]:
    """The columns of a list of `model`: its fields in order, one object flattened."""
    columns: list[Column] = []
    for name, field in model.model_fields.items():
        nested = _nested_model(field.annotation)
        if nested is None:
            columns.append(Column(name, (name,)))
        else:
            columns += [Column(f"{name}_{inner}", (name, inner)) for inner in nested.model_fields]
    columns += [Column(name, (name,)) for name in model.model_computed_fields]
    return columns


def _text(value: Any) -> str:
    """A value inside a list or object cell, as a person reads it."""
    if isinstance(value, Mapping):
        parts = [(k, v) for k, v in value.items() if v not in (None, "", [], {})]
        if not parts:
            return ""
        (_, first), *rest = parts
        details = ", ".join(f"{k}: {_text(v)}" for k, v in rest)
        return f"{_text(first)} ({details})" if details else _text(first)
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_text(v) for v in value)
    return _shown(_cell(value))


def _shown(cell: Cell) -> str:
    """A typed cell as text: German decimal comma, times as `YYYY-MM-DD HH:MM:SS`."""
    if isinstance(cell, bool):
        return "ja" if cell else "nein"
    if isinstance(cell, float):
        return _decimal(cell)
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ", timespec="seconds")
    if isinstance(cell, date):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def _cell(value: Any) -> Cell:
    """A dumped field value as one typed cell; datetimes in Europe/Berlin, naive."""
    if isinstance(value, Enum):  # before str: a StrEnum is a str too
        return _cell(value.value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        try:
            return aware.astimezone(VIEW_ZONE).replace(tzinfo=None)
        except OverflowError:  # within hours of year 1 or 9999: Berlin lies outside
            return aware.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        if any(isinstance(v, Mapping) for v in value):
            return "\n".join(_text(v) for v in value)
        return _text(value)
    if isinstance(value, Mapping):
        return "\n".join(f"{k}: {_text(v)}" for k, v in value.items() if v is not None)
    return str(value)


def _decimal(value: float) -> str:
    """A number as German Excel reads it: decimal comma, whole numbers without one."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value).replace(".", ",")


def neutralised(text: str) -> str:
    """Text that no spreadsheet runs as a formula: a leading apostrophe where needed."""
    return "'" + text if text.startswith(FORMULA_START) else text


# -- files ----------------------------------------------------------------------


def to_csv(columns: Sequence[Column], items: Sequence[Mapping[str, Any]]) -> bytes:
    """The rows as CSV for German Excel (see the module docstring), with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([neutralised(c.title) for c in columns])
    for item in items:
        writer.writerow([_csv_text(c.cell(item)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_text(cell: Cell) -> str:
    if isinstance(cell, str):
        return neutralised(cell)
    return _shown(cell)


def to_xlsx(columns: Sequence[Column], items: Sequence[Mapping[str, Any]], *, sheet: str) -> bytes:
    """The rows as one XLSX sheet: bold frozen header, filter, widths, typed cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # Text stays text: never a formula, a link or a number by guesswork.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    # The same list gives the same bytes, so its ETag holds while nothing changed.
    workbook.set_properties({"created": datetime(2000, 1, 1)})
    worksheet = workbook.add_worksheet(_sheet_name(sheet))
    header = workbook.add_format({"bold": True, "bottom": 1})
    formats = {
        "date": workbook.add_format({"num_format": "dd.mm.yyyy"}),
        "datetime": workbook.add_format({"num_format": "dd.mm.yyyy hh:mm"}),
        "quoted": workbook.add_format({"quote_prefix": True}),
    }
    widths = [len(c.title) for c in columns]
    for col, column in enumerate(columns):
        worksheet.write_string(0, col, column.title, header)
    for row, item in enumerate(items, start=1):
        for col, column in enumerate(columns):
            shown = _write_cell(worksheet, row, col, column.cell(item), formats)
            widths[col] = max(widths[col], shown)
    for col, width in enumerate(widths):
        worksheet.set_column(col, col, min(max(width, 4) + 2, XLSX_MAX_WIDTH))
    worksheet.freeze_panes(1, 0)
    if columns:
        worksheet.autofilter(0, 0, len(items), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _write_cell(worksheet: Any, row: int, col: int, cell: Cell, formats: Mapping[str, Any]) -> int:
    """Write one typed cell; returns the characters it shows, for the column width."""
    if cell is None:
        return 0
    if isinstance(cell, bool):
        worksheet.write_boolean(row, col, cell)
        return 5
    if isinstance(cell, int | float) and _fits_a_number_cell(cell):
        worksheet.write_number(row, col, cell)
        return len(str(cell))
    if isinstance(cell, date) and cell.year < EXCEL_FIRST_YEAR:
        cell = _shown(cell)  # Excel has no dates before 1900: the date as text
    elif isinstance(cell, datetime):
        worksheet.write_datetime(row, col, cell, formats["datetime"])
        return 16
    elif isinstance(cell, date):
        worksheet.write_datetime(row, col, cell, formats["date"])
        return 10
    text = str(cell)[:XLSX_MAX_TEXT]
    if text.startswith(FORMULA_START):
        worksheet.write_string(row, col, text, formats["quoted"])
    else:
        worksheet.write_string(row, col, text)
    return max((len(line) for line in text.splitlines()), default=0)


def _fits_a_number_cell(number: float) -> bool:
    # A cell holds a double: larger integers would lose digits, inf and NaN have none.
    if isinstance(number, int):
        return abs(number) <= XLSX_MAX_INTEGER
    return math.isfinite(number)


def _sheet_name(name: str) -> str:
    # Excel forbids []:*?/\ in sheet names and allows at most 31 characters.
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Export"


# -- the answer -----------------------------------------------------------------

_FALLBACK = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII `filename` and the exact UTF-8 `filename*`
    (RFC 6266): old clients get `Foerderaufrufe.csv`, others `Förderaufrufe.csv`."""
    fallback = filename.translate(_FALLBACK).replace("ß", "ss")
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _item_model(page: BaseModel) -> type[BaseModel]:
    """The item model of a list class, read from its `items` annotation."""
    (model,) = get_args(type(page).model_fields["items"].annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(f"{type(page).__name__} does not hold models")
    return model


VARY = {"Vary": "Accept"}


class ListExport:
    """How one list request answers: JSON pages, or the whole filtered list as a file."""

    def __init__(self, format_: ExportFormat, *, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.format: ExportFormat = format_
        self.max_rows = max_rows

    @property
    def is_file(self) -> bool:
        """True for CSV and XLSX: the answer is the whole list, not a page."""
        return self.format != "json"

    def window(self, cursor: str | None, limit: int) -> tuple[str | None, int]:
        """The cursor and limit to load: the caller's for JSON, the whole capped list
        for a file (the repository loads `max_rows + 1` to tell whether there is more)."""
        return (None, self.max_rows) if self.is_file else (cursor, limit)

    async def answer(
        self,
        page: BaseModel,
        if_none_match: str | None,
        *,
        filename: str,
        today: Callable[[], date] = lambda: datetime.now(VIEW_ZONE).date(),
    ) -> Response:
        """The page as JSON, or its items as a file named `<filename>-<date>.<ext>`.

        `page` is a Page or any model with `items` (a list that is not paged). Raises
        ExportTooLarge when the page of a file export says there is more.
        """
        # One URL answers JSON or a file by Accept: caches must keep them apart.
        if not self.is_file:
            return cacheable(page.model_dump_json(), if_none_match, headers=VARY)
        if getattr(page, "next_cursor", None) is not None:
            raise ExportTooLarge(
                f"An export holds at most {self.max_rows:,} rows and this list has "
                f"{getattr(page, 'total', 0):,}; narrow the filters.",
                errors=[
                    {
                        "field": "format",
                        "in": "query",
                        "message": f"more than {self.max_rows} rows",
                        "code": "export_too_large",
                    }
                ],
            )
        # Thousands of rows take a while: in a worker thread, the service goes on meanwhile.
        body = await run_in_threadpool(self.file_of, page, filename)
        media_type = CSV_MEDIA_TYPE + "; charset=utf-8" if self.format == "csv" else XLSX_MEDIA_TYPE
        name = f"{filename}-{today().isoformat()}.{self.format}"
        return cacheable(
            body,
            if_none_match,
            media_type=media_type,
            headers={"Content-Disposition": content_disposition(name), **VARY},
        )

    def file_of(self, page: BaseModel, sheet: str) -> bytes:
        """The items of `page` as a CSV or XLSX file (XLSX names its sheet `sheet`)."""
        columns = columns_of(_item_model(page))
        items = [item.model_dump(mode="python") for item in getattr(page, "items", ())]
        if self.format == "csv":
            return to_csv(columns, items)
        return to_xlsx(columns, items, sheet=sheet)


def _list_export(
    request: Request,
    format_: Annotated[
        ExportFormat | None,
        Query(
            alias="format",
            description="`csv` or `xlsx`: the whole filtered list (not one page) as a file "
            "to download, up to the export cap; `json` (the default) pages. Without it the "
            "`Accept` header decides.",
        ),
    ] = None,
) -> ListExport:
    settings = getattr(request.app.state, "settings", None)
    max_rows = getattr(settings, "export_max_rows", DEFAULT_MAX_ROWS)
    return ListExport(negotiate(format_, request.headers.get("accept")), max_rows=max_rows)


Exportable = Annotated[ListExport, Depends(_list_export)]
"""A list route's parameter: `?format=` and Accept, negotiated (406 for a bad Accept)."""


def export_responses(*errors: type[LotseError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` of an exportable list: CSV and XLSX beside the JSON of its
    200, the 406, and the problems in `errors` (see shared.kit.http.responses)."""
    answers = responses(*errors, NotAcceptable)
    answers[422] = {"description": "The input is not valid, or the export is too large"}
    answers[200] = {
        "description": "One page as JSON, or the whole filtered list as CSV or XLSX "
        "(`Content-Disposition: attachment`)",
        "content": {
            CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
        "headers": {
            "Content-Disposition": {
                "description": "for CSV and XLSX: attachment with the file's name",
                "schema": {"type": "string"},
            }
        },
    }
    return answers
