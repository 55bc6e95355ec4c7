"""The operator's texts (imprint, privacy notice, accessibility statement), made safe.

A file ending in .md is Markdown, anything else HTML; either way the HTML is cleaned
(nh3): no script, no style attribute, no event handler survives, so an operator's text
cannot break the pages' Content-Security-Policy or run code. Read on every request: an
operator who edits the file sees the change without a restart.
"""

from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_TAGS = {
    "a", "abbr", "address", "b", "blockquote", "br", "code", "dd", "dl", "dt", "em",
    "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre", "strong", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
MAX_BYTES = 200_000


def operator_text(path: Path | None) -> Markup | None:
    """The file's content as safe HTML, or None where no file is set."""
    if path is None:
        return None
    raw = path.read_bytes()[:MAX_BYTES].decode("utf-8", errors="replace")
    html = _MARKDOWN.render(raw) if path.suffix.lower() in (".md", ".markdown") else raw
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "hreflang"}, "abbr": {"title"}, "th": {"scope"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return Markup(cleaned)  # safe: cleaned by nh3 just above
