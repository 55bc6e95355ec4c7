"""Search snippets as markup: the text escaped here, the API's highlight marks only.

The search API sends a snippet as HTML: its text escaped, each match in a bare
`<mark>...</mark>`. A page does not trust that: it reads every part between the marks
back as text and escapes it again, and only those exact bare tags, balanced, become
`<mark>`. So a solution named `<script>` or `<mark onclick=...>` stays text whatever
the API sends.
"""

import html
import re

from markupsafe import Markup, escape

_MARKS = re.compile(r"(<mark>|</mark>)")


def highlighted(snippet: str) -> Markup:
    """`snippet` of the search API as safe markup: escaped text with `<mark>` around
    the matches."""
    out: list[str] = []
    inside = False
    for part in _MARKS.split(snippet):
        if part == "<mark>":
            if not inside:
                out.append("<mark>")
                inside = True
        elif part == "</mark>":
            if inside:
                out.append("</mark>")
                inside = False
        elif part:
            out.append(str(escape(html.unescape(part))))
    if inside:
        out.append("</mark>")
    return Markup("".join(out))
