"""The web app of the gateway: server-rendered pages for people, on the same API.

One purpose per file: `pages.py` the routes, `session.py` sign-in sessions, `csrf.py`
forms' tokens and origin checks, `forms.py` reading a posted form, `i18n.py` the message
catalogue, `render.py` the templates and their headers, `api.py` the in-process API
client pages get their data from, `legal.py` the operator's texts. See docs/web.md.
"""
