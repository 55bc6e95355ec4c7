"""The web app of the gateway: server-rendered pages for people, on the same API.

One purpose per file: `pages.py` the routes, `render.py` the templates and their
headers, `messages.py` every text in German and English, `i18n.py` which language a page
speaks, `session.py` sign-in sessions, `csrf.py` forms' tokens and origin checks,
`forms.py` reading a posted form, `api.py` the in-process API client pages get their
data from, `legal.py` the operator's texts, `pages_widgets.py` the widgets intranets
frame. See docs/web.md.
"""
