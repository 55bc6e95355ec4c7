"""The message catalogues: every text in both languages, with the same placeholders."""

import json
import re
import string
from pathlib import Path

from services.gateway.web.messages import CATALOGUES, DE, EN

TEMPLATES = Path(__file__).parents[3] / "services" / "gateway" / "web" / "templates"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(DE) == set(EN)
    assert set(CATALOGUES) == {"de", "en"}


def test_both_languages_fill_the_same_placeholders() -> None:
    for key in DE:
        assert _placeholders(DE[key]) == _placeholders(EN[key]), key


def test_every_literal_key_of_the_templates_is_in_the_catalogue() -> None:
    used = {
        key
        for template in TEMPLATES.glob("*.html")
        for key in re.findall(r"""\bt\(\s*["']([a-z_.]+)["']\s*[,)]""", template.read_text())
    }
    assert used, "the templates take their texts from the catalogue"
    assert used <= set(DE), used - set(DE)


def test_the_hints_examples_work_in_the_demo() -> None:
    demo = Path(__file__).parents[3] / "demo"
    places = json.loads((demo / "municipalities.json").read_text())
    ags = {place["ags"] for place in (places if isinstance(places, list) else places["items"])}
    solutions = (demo / "solutions.json").read_text().lower()
    for catalogue in (DE, EN):
        (example,) = re.findall(r"\b\d{8}\b", catalogue["funding.eligible_hint"])
        assert example in ags, example
    for word in re.findall(r"Beispiel (\w+) oder (\w+)", DE["catalogue.query_hint"])[0]:
        assert word.lower() in solutions, word
        assert word in EN["catalogue.query_hint"], word
