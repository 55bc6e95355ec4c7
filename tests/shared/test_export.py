"""The kit's exports: negotiation, the German Excel CSV, the XLSX, the file name, the cap."""

import csv
import io
from datetime import UTC, date, datetime
from enum import StrEnum

import openpyxl
import pytest
from pydantic import BaseModel

from shared.kit.export import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    ExportTooLarge,
    ListExport,
    NotAcceptable,
    columns_of,
    content_disposition,
    negotiate,
    neutralised,
)
from shared.kit.pagination import Page
from shared.kit.settings import ServiceSettings


class Status(StrEnum):
    OPEN = "open"


class Person(BaseModel):
    name: str
    email: str | None = None


class Indicator(BaseModel):
    name: str
    unit: str | None = None
    target: float | None = None


class Row(BaseModel):
    id: str
    title: str
    topics: list[str]
    contact: Person | None
    indicators: list[Indicator]
    updated_at: datetime
    start: date | None
    budget: float | None
    done: bool


class RowPage(Page[Row]):
    pass


def row(**changes: object) -> Row:
    values: dict[str, object] = {
        "id": "1",
        "title": "Bürgerbüro Ölmühle",
        "topics": ["broadband", "mobility"],
        "contact": Person(name="Jörg Weiß", email="j@example.org"),
        "indicators": [Indicator(name="Anschlüsse", unit="Häuser", target=40.5)],
        # summer and winter: Berlin is UTC+2, then UTC+1
        "updated_at": datetime(2026, 7, 1, 10, 30, tzinfo=UTC),
        "start": date(2026, 3, 1),
        "budget": 12500.0,
        "done": False,
    }
    return Row.model_validate(values | changes)


def today() -> date:
    return date(2026, 11, 30)


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


class TestNegotiation:
    @pytest.mark.parametrize(
        ("accept", "expected"),
        [
            (None, "json"),
            ("", "json"),
            ("*/*", "json"),
            ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "json"),
            ("text/csv", "csv"),
            ("TEXT/CSV; charset=utf-8", "csv"),
            (XLSX_MEDIA_TYPE, "xlsx"),
            ("application/json;q=0.5, text/csv", "csv"),
            ("text/csv;q=0.2, application/*;q=0.9", "json"),
            ("text/csv;q=0, */*", "json"),
            ("text/*", "csv"),
            ("text/csv;q=abc, application/json", "json"),
        ],
    )
    def test_accept_chooses(self, accept: str | None, expected: str) -> None:
        assert negotiate(None, accept) == expected

    @pytest.mark.parametrize(
        "accept", ["application/pdf", "image/*", "text/csv;q=0, application/json;q=0", ","]
    )
    def test_an_accept_naming_nothing_we_answer_is_406(self, accept: str) -> None:
        if accept == ",":  # no media range at all: as if none were sent
            assert negotiate(None, accept) == "json"
            return
        with pytest.raises(NotAcceptable) as raised:
            negotiate(None, accept)
        assert raised.value.status == 406

    def test_the_parameter_wins_over_accept(self) -> None:
        assert negotiate("xlsx", "application/pdf") == "xlsx"
        assert negotiate("json", "text/csv") == "json"


class TestNeutralising:
    @pytest.mark.parametrize("text", ["=1+1", "+49 6421", "-2", "@SUM(A1)", "\tx", "\rx", "\nx"])
    def test_formula_starts_get_an_apostrophe(self, text: str) -> None:
        assert neutralised(text) == "'" + text

    @pytest.mark.parametrize("text", ["Glasfaser", "a=b", " =1", "'quoted", ""])
    def test_other_text_stays(self, text: str) -> None:
        assert neutralised(text) == text


class TestColumns:
    def test_an_object_becomes_columns_and_lists_stay_one(self) -> None:
        titles = [c.title for c in columns_of(Row)]
        assert titles == [
            "id", "title", "topics", "contact_name", "contact_email", "indicators",
            "updated_at", "start", "budget", "done",
        ]  # fmt: skip


class TestCsv:
    async def test_a_german_excel_reads_it(self) -> None:
        winter = row(id="2", updated_at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC), contact=None)
        page = RowPage(items=[row(), winter], total=2)
        response = await ListExport("csv").answer(page, None, filename="Projekte", today=today)
        assert response.media_type == CSV_MEDIA_TYPE + "; charset=utf-8"
        header, summer_row, winter_row = csv_rows(bytes(response.body))
        assert header[:4] == ["id", "title", "topics", "contact_name"]
        assert summer_row == [
            "1", "Bürgerbüro Ölmühle", "broadband, mobility", "Jörg Weiß", "j@example.org",
            "Anschlüsse (unit: Häuser, target: 40,5)", "2026-07-01 12:30:00", "2026-03-01",
            "12500", "nein",
        ]  # fmt: skip
        assert winter_row[3:5] == ["", ""]
        assert winter_row[6] == "2026-01-16 00:30:00"  # Berlin's date, not UTC's

    async def test_cells_with_the_delimiter_quotes_and_newlines_stay_whole(self) -> None:
        tricky = row(title='Ein "Projekt"; zwei\nZeilen', budget=-3.25)
        page = RowPage(items=[tricky], total=1)
        response = await ListExport("csv").answer(page, None, filename="x")
        (_, cells) = csv_rows(bytes(response.body))
        assert cells[1] == 'Ein "Projekt"; zwei\nZeilen'
        assert cells[8] == "-3,25"  # a number, not text: no apostrophe

    async def test_formula_text_is_neutralised(self) -> None:
        evil = row(title="=cmd|' /C calc'!A0", topics=["@x"])
        page = RowPage(items=[evil], total=1)
        response = await ListExport("csv").answer(page, None, filename="x")
        (_, cells) = csv_rows(bytes(response.body))
        assert cells[1] == "'=cmd|' /C calc'!A0" and cells[2] == "'@x"

    async def test_an_empty_list_still_has_its_header(self) -> None:
        response = await ListExport("csv").answer(RowPage(items=[], total=0), None, filename="x")
        assert csv_rows(bytes(response.body)) == [[c.title for c in columns_of(Row)]]


class TestXlsx:
    async def test_types_header_and_layout(self) -> None:
        long = row(id="2", title="x" * 40_000, budget=None)
        page = RowPage(items=[row(), long], total=2)
        export = ListExport("xlsx")
        response = await export.answer(page, None, filename="Förderaufrufe", today=today)
        assert response.media_type == XLSX_MEDIA_TYPE
        sheet = openpyxl.load_workbook(io.BytesIO(bytes(response.body))).active
        assert sheet is not None
        assert sheet.title == "Förderaufrufe"
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:J3"
        assert all(cell.font.b for cell in sheet[1])
        first = [cell.value for cell in sheet[2]]
        assert first[:4] == ["1", "Bürgerbüro Ölmühle", "broadband, mobility", "Jörg Weiß"]
        assert first[6] == datetime(2026, 7, 1, 12, 30)
        assert first[7] == datetime(2026, 3, 1) and sheet["H2"].is_date
        assert first[8:] == [12500, False]
        assert len(sheet["B3"].value) == 32_767  # Excel's limit of a cell
        assert sheet["I3"].value is None
        assert 10 < (sheet.column_dimensions["B"].width or 0) <= 62

    async def test_formula_text_stays_text(self) -> None:
        evil = row(title='=HYPERLINK("https://evil.example")', topics=["+1"])
        page = RowPage(items=[evil], total=1)
        response = await ListExport("xlsx").answer(page, None, filename="x")
        sheet = openpyxl.load_workbook(io.BytesIO(bytes(response.body))).active
        assert sheet is not None
        for cell in (sheet["B2"], sheet["C2"]):
            assert cell.data_type == "s" and cell.quotePrefix
        assert sheet["B2"].value == '=HYPERLINK("https://evil.example")'

    async def test_the_same_list_gives_the_same_bytes(self) -> None:
        page = RowPage(items=[row()], total=1)
        first = await ListExport("xlsx").answer(page, None, filename="x")
        second = await ListExport("xlsx").answer(page, None, filename="x")
        assert first.body == second.body and first.headers["etag"] == second.headers["etag"]
        again = await ListExport("xlsx").answer(page, first.headers["etag"], filename="x")
        assert again.status_code == 304


class Extremes(BaseModel):
    day: date
    at: datetime
    figure: float
    count: int
    status: Status


class ExtremesPage(Page[Extremes]):
    pass


class TestExtremes:
    """Values a validated API still allows, which Excel cannot hold as they are."""

    async def test_they_become_text_instead_of_an_error(self) -> None:
        page = ExtremesPage(
            items=[
                Extremes(
                    day=date(1, 1, 1),
                    at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
                    figure=float("inf"),
                    count=2**70,
                    status=Status.OPEN,
                )
            ],
            total=1,
        )
        xlsx = await ListExport("xlsx").answer(page, None, filename="x")
        sheet = openpyxl.load_workbook(io.BytesIO(bytes(xlsx.body))).active
        assert sheet is not None
        assert [c.value for c in sheet[2]] == [
            "0001-01-01",
            datetime(9999, 12, 31, 23, 59),  # Berlin is past the year 9999: kept in UTC
            "inf",
            str(2**70),
            "open",
        ]
        response = await ListExport("csv").answer(page, None, filename="x")
        (_, cells) = csv_rows(bytes(response.body))
        assert cells == ["0001-01-01", "9999-12-31 23:59:00", "inf", str(2**70), "open"]


class TestAnswer:
    async def test_json_stays_a_page(self) -> None:
        page = RowPage(items=[row()], next_cursor="abc", total=7)
        response = await ListExport("json").answer(page, None, filename="x")
        assert response.media_type == "application/json"
        assert RowPage.model_validate_json(bytes(response.body)) == page
        assert ListExport("json").window("abc", 20) == ("abc", 20)

    def test_a_file_loads_the_whole_list_up_to_the_cap(self) -> None:
        assert ListExport("csv", max_rows=500).window("abc", 20) == (None, 500)

    async def test_more_than_the_cap_is_refused(self) -> None:
        page = RowPage(items=[row()], next_cursor="more", total=12_345)
        with pytest.raises(ExportTooLarge) as raised:
            await ListExport("xlsx", max_rows=1).answer(page, None, filename="x")
        assert raised.value.status == 422 and raised.value.slug == "export-too-large"
        assert "12,345" in str(raised.value.detail) and "narrow" in str(raised.value.detail)

    def test_the_cap_is_a_setting(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert ServiceSettings().export_max_rows == 10_000
        monkeypatch.setenv("LOTSE_EXPORT_MAX_ROWS", "250")
        assert ServiceSettings().export_max_rows == 250
        monkeypatch.setenv("LOTSE_EXPORT_MAX_ROWS", "0")
        with pytest.raises(ValueError, match="LOTSE_EXPORT_MAX_ROWS"):
            ServiceSettings()


class TestFilename:
    def test_umlauts_in_filename_star_and_a_plain_fallback(self) -> None:
        header = content_disposition("Förderaufrufe-2026-11-30.csv")
        assert header == (
            'attachment; filename="Foerderaufrufe-2026-11-30.csv"; '
            "filename*=UTF-8''F%C3%B6rderaufrufe-2026-11-30.csv"
        )

    def test_nothing_can_break_out_of_the_header(self) -> None:
        header = content_disposition('Straße "a";\r\nX-Evil: 1.csv')
        assert "\r" not in header and "\n" not in header
        fallback = header.split('filename="', 1)[1].split('"', 1)[0]
        assert fallback == "Strasse__a____X-Evil__1.csv"
        assert header.endswith("filename*=UTF-8''Stra%C3%9Fe%20%22a%22%3B%0D%0AX-Evil%3A%201.csv")

    async def test_the_date_of_the_export_is_in_the_name(self) -> None:
        page = RowPage(items=[], total=0)
        response = await ListExport("xlsx").answer(page, None, filename="Kontakte", today=today)
        assert 'filename="Kontakte-2026-11-30.xlsx"' in response.headers["content-disposition"]
