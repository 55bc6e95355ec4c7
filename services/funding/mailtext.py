"""The German e-mails of the funding service, as plain text and HTML.

Every mail carries its one-click unsubscribe link, in the body and (through
`shared.kit.mail.build_message`) in the `List-Unsubscribe` headers. Every value that
comes from a funder or a subscriber is escaped in the HTML part.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage

from services.funding.calls import Deadline, FundingCall
from services.funding.eligibility import Eligibility
from services.funding.feeds import call_facts, german_datetime
from shared.kit.mail import build_message

SIGNATURE = "Ihr Lotse, Förderaufrufe der Digitalen Region"


@dataclass(frozen=True, slots=True)
class MailText:
    subject: str
    text: str
    html: str
    unsubscribe_url: str

    def message(self, *, sender: str, to: str) -> EmailMessage:
        return build_message(
            sender=sender,
            to=to,
            subject=self.subject,
            text=self.text,
            html=self.html,
            unsubscribe_url=self.unsubscribe_url,
        )


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _page(title: str, body: str, unsubscribe_url: str) -> str:
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title></head>"
        '<body style="font-family:sans-serif;line-height:1.4;max-width:40em">'
        f"{body}"
        f'<hr><p style="font-size:smaller;color:#555">{_e(SIGNATURE)}<br>'
        "Sie erhalten diese Nachricht, weil Sie Förderaufrufe bei Lotse abonniert haben. "
        f'<a href="{_e(unsubscribe_url)}">Abonnement mit einem Klick abbestellen</a></p>'
        "</body></html>"
    )


def _footer(unsubscribe_url: str) -> str:
    return (
        f"\n-- \n{SIGNATURE}\n"
        "Sie erhalten diese Nachricht, weil Sie Förderaufrufe bei Lotse abonniert haben.\n"
        f"Abonnement mit einem Klick abbestellen: {unsubscribe_url}\n"
    )


def _call_text(call: FundingCall, eligibility: Eligibility | None) -> str:
    lines = [call.title, "=" * min(len(call.title), 72)]
    if call.summary:
        lines += [call.summary, ""]
    lines += [f"{label}: {value}" for label, value in call_facts(call)]
    if eligibility is not None:
        verdict = (
            "Ihre Kommune ist antragsberechtigt"
            if eligibility.eligible
            else ("Ihre Kommune ist nicht antragsberechtigt")
        )
        lines.append(f"{verdict}: {eligibility.summary}")
    lines += ["", f"Zum Aufruf: {call.url}"]
    return "\n".join(lines)


def _call_html(call: FundingCall, eligibility: Eligibility | None, heading: str = "h2") -> str:
    facts = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in call_facts(call))
    parts = [f"<{heading}>{_e(call.title)}</{heading}>"]
    if call.summary:
        parts.append(f"<p>{_e(call.summary)}</p>")
    parts.append(f"<dl>{facts}</dl>")
    if eligibility is not None:
        verdict = "antragsberechtigt" if eligibility.eligible else "nicht antragsberechtigt"
        parts.append(
            f"<p><strong>Ihre Kommune ist {verdict}:</strong> {_e(eligibility.summary)}</p>"
        )
    parts.append(f'<p><a href="{_e(call.url)}">Zum Aufruf</a></p>')
    return "".join(parts)


def confirmation_mail(*, confirm_url: str, unsubscribe_url: str, description: str) -> MailText:
    """Double opt-in: nothing is sent to the address until this link was followed."""
    subject = "Bitte bestätigen Sie Ihr Abonnement für Förderaufrufe"
    text = (
        "Guten Tag,\n\n"
        "für diese Adresse wurde ein Abonnement von Förderaufrufen bei Lotse angelegt:\n"
        f"{description}\n\n"
        "Bitte bestätigen Sie es mit diesem Link:\n"
        f"{confirm_url}\n\n"
        "Wenn Sie das Abonnement nicht angelegt haben, müssen Sie nichts tun: ohne "
        "Bestätigung erhalten Sie keine weiteren Nachrichten.\n" + _footer(unsubscribe_url)
    )
    body = (
        "<p>Guten Tag,</p>"
        "<p>für diese Adresse wurde ein Abonnement von Förderaufrufen bei Lotse angelegt:<br>"
        f"<em>{_e(description)}</em></p>"
        f'<p><a href="{_e(confirm_url)}"><strong>Abonnement bestätigen</strong></a></p>'
        "<p>Wenn Sie das Abonnement nicht angelegt haben, müssen Sie nichts tun: ohne "
        "Bestätigung erhalten Sie keine weiteren Nachrichten.</p>"
    )
    return MailText(subject, text, _page(subject, body, unsubscribe_url), unsubscribe_url)


def alert_mail(
    *,
    call: FundingCall,
    unsubscribe_url: str,
    eligibility: Eligibility | None = None,
    changed: Sequence[str] = (),
) -> MailText:
    """A new call, or (with `changed`) a call whose facts changed, sent at once."""
    if changed:
        subject = f"Geänderter Förderaufruf: {call.title}"
        intro = f"ein Förderaufruf aus Ihrem Abonnement wurde geändert ({', '.join(changed)})."
    else:
        subject = f"Neuer Förderaufruf: {call.title}"
        intro = "ein neuer Förderaufruf passt zu Ihrem Abonnement."
    text = f"Guten Tag,\n\n{intro}\n\n{_call_text(call, eligibility)}\n" + _footer(unsubscribe_url)
    body = f"<p>Guten Tag,</p><p>{_e(intro)}</p>{_call_html(call, eligibility)}"
    return MailText(subject, text, _page(subject, body, unsubscribe_url), unsubscribe_url)


def digest_mail(
    *,
    day: date,
    items: Sequence[tuple[FundingCall, Eligibility | None]],
    unsubscribe_url: str,
) -> MailText:
    """The day's matches in one mail."""
    count = len(items)
    noun = "Förderaufruf" if count == 1 else "Förderaufrufe"
    subject = f"{count} {noun} vom {day.strftime('%d.%m.%Y')}"
    intro = f"am {day.strftime('%d.%m.%Y')} passten {count} {noun} zu Ihrem Abonnement."
    if count == 1:
        intro = f"am {day.strftime('%d.%m.%Y')} passte ein Förderaufruf zu Ihrem Abonnement."
    text_parts = [f"Guten Tag,\n\n{intro}\n"]
    html_parts = [f"<p>Guten Tag,</p><p>{_e(intro)}</p>"]
    for number, (call, eligibility) in enumerate(items, start=1):
        text_parts.append(f"\n{number}. {_call_text(call, eligibility)}\n")
        html_parts.append(_call_html(call, eligibility, heading="h3"))
    text = "".join(text_parts) + _footer(unsubscribe_url)
    page = _page(subject, "".join(html_parts), unsubscribe_url)
    return MailText(subject, text, page, unsubscribe_url)


def reminder_mail(
    *, call: FundingCall, deadline: Deadline, lead_days: int, unsubscribe_url: str
) -> MailText:
    """A deadline is `lead_days` days ahead."""
    when = "morgen" if lead_days == 1 else f"in {lead_days} Tagen"
    subject = f"Erinnerung: Frist für „{call.title}“ endet {when}"
    intro = (
        f"für den Förderaufruf „{call.title}“ endet {when} eine Frist ({deadline.label}): "
        f"am {german_datetime(deadline.at)}."
    )
    text = f"Guten Tag,\n\n{intro}\n\n{_call_text(call, None)}\n" + _footer(unsubscribe_url)
    body = f"<p>Guten Tag,</p><p><strong>{_e(intro)}</strong></p>{_call_html(call, None)}"
    return MailText(subject, text, _page(subject, body, unsubscribe_url), unsubscribe_url)


def webhook_disabled_mail(
    *,
    endpoint_url: str,
    reason: str,
    since: datetime,
    manage_url: str,
    unsubscribe_url: str,
) -> MailText:
    """The owner of a webhook learns that it no longer receives deliveries, and why."""
    subject = "Ihr Webhook-Endpunkt wurde deaktiviert"
    text = (
        "Guten Tag,\n\n"
        f"Ihr Webhook-Endpunkt {endpoint_url} erhält keine Förderaufrufe mehr: wir haben "
        f"ihn deaktiviert.\nGrund: {reason}\nFehlgeschlagen seit: {german_datetime(since)}\n\n"
        "Sobald der Endpunkt wieder erreichbar ist, können Sie ihn hier reaktivieren:\n"
        f"{manage_url}\n" + _footer(unsubscribe_url)
    )
    body = (
        "<p>Guten Tag,</p>"
        f"<p>Ihr Webhook-Endpunkt <code>{_e(endpoint_url)}</code> erhält keine "
        "Förderaufrufe mehr: wir haben ihn deaktiviert.</p>"
        f"<p>Grund: {_e(reason)}<br>Fehlgeschlagen seit: {_e(german_datetime(since))}</p>"
        f'<p>Sobald der Endpunkt wieder erreichbar ist, können Sie ihn <a href="'
        f'{_e(manage_url)}">hier reaktivieren</a>.</p>'
    )
    return MailText(subject, text, _page(subject, body, unsubscribe_url), unsubscribe_url)
