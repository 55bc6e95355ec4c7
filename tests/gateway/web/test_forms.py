"""Bad input on a form: refused as a page before anything is read or changed."""

import pytest

from services.gateway.web.session import COOKIE
from tests.conftest import ADMIN_KEY
from tests.gateway.web.conftest import WebGateway
from tests.gateway.web.forms import token_of

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"key=" + b"a" * 20_000, FORM, id="oversized"),
        pytest.param(b"key=%00" + ADMIN_KEY.encode(), FORM, id="NUL"),
        pytest.param(b"key=abc%1b%5B31m", FORM, id="escape-sequence"),
        pytest.param(b"key=%ff%fe", FORM, id="not-utf-8-percent"),
        pytest.param(b"key=\xff\xfe", FORM, id="not-utf-8-raw"),
        pytest.param(b"&".join([b"f%d=1" % i for i in range(200)]), FORM, id="many-fields"),
        pytest.param(b'{"key": "x"}', "application/json", id="json"),
        pytest.param(b"key=x", "multipart/form-data; boundary=x", id="multipart"),
    ],
)
async def test_unreadable_forms_are_refused(
    gateway: WebGateway, body: bytes, content_type: str
) -> None:
    browser = gateway.browser()
    token = token_of(await browser.get("/sign-in"))
    answer = await browser.post(
        "/sign-in",
        content=body + f"&csrf_token={token}".encode(),
        headers={"Content-Type": content_type, "Origin": gateway.url},
    )
    assert answer.status_code in (400, 413), answer.text
    if answer.status_code == 400:
        assert answer.headers["content-type"].startswith("text/html")
    assert COOKIE not in browser.cookies


async def test_text_beyond_ascii_is_read_as_utf8(gateway: WebGateway) -> None:
    browser = gateway.browser()
    token = token_of(await browser.get("/sign-in"))
    answer = await browser.post(
        "/sign-in",
        data={"csrf_token": token, "key": "Schlüssel-äöü-" + "x" * 30},
        headers={"Origin": gateway.url},
    )
    assert answer.status_code == 401  # read, and refused as an unknown key
