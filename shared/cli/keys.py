"""`lotse keys create`: issue an API key through the public API, like any admin client."""

import sys

import httpx


def create_key(
    *, url: str, admin_key: str, name: str, role: str, ags: str | None = None
) -> str | None:
    """Issue a key and return it; print the API's problem and return None when refused."""
    body: dict[str, str] = {"name": name, "role": role}
    if ags:
        body["ags"] = ags
    try:
        response = httpx.post(
            f"{url}/api/v1/api-keys",
            json=body,
            headers={"Authorization": f"Bearer {admin_key}"},
            timeout=10,
        )
    except httpx.HTTPError as exc:
        print(f"No Lotse gateway answers at {url} ({exc}); is it running? --url", file=sys.stderr)
        return None
    if response.status_code != 201:
        print(response.text, file=sys.stderr)
        return None
    return str(response.json()["key"])
