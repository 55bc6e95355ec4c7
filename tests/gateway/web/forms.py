"""Filling the web app's forms as a browser does: token from the page, Origin on the POST."""

import re

import httpx

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(page: httpx.Response) -> str:
    found = TOKEN.search(page.text)
    assert found, "the page carries a form token"
    return found.group(1)


async def post_form(
    client: httpx.AsyncClient, path: str, fields: dict[str, str], *, origin: str | None = None
) -> httpx.Response:
    """POST `fields` with the Origin a browser on this site sends."""
    return await client.post(
        path, data=fields, headers={"Origin": origin or str(client.base_url).rstrip("/")}
    )


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """Sign `client` in with `key` through the form; the answer to the POST."""
    form = await client.get("/sign-in")
    return await post_form(client, "/sign-in", {"csrf_token": token_of(form), "key": key})
