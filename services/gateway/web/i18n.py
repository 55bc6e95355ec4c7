"""Which language a page speaks: the `lotse_lang` cookie the switch sets, else the
browser's Accept-Language, else German."""

from collections.abc import Callable

from fastapi import Request

from services.gateway.web.messages import CATALOGUES

DEFAULT = "de"
COOKIE = "lotse_lang"
LANGUAGES = tuple(CATALOGUES)

Translate = Callable[..., str]


def language_of(request: Request) -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in CATALOGUES:
        return chosen
    return _accepted(request.headers.get("accept-language", ""))


def _accepted(header: str) -> str:
    """The first language of Accept-Language we speak, by the browser's weights."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-weight, position, tag.split("-")[0].lower()))
    for weight, _, language in sorted(ranked):
        if weight < 0 and language in CATALOGUES:
            return language
    return DEFAULT


def translator(language: str) -> Translate:
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT])

    def t(key: str, **values: object) -> str:
        text = catalogue[key]
        return text.format(**values) if values else text

    return t
