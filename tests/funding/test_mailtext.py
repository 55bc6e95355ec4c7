"""The German mails: subject, both parts, escaping, and one-click unsubscribe in every one."""

import email
import email.policy
from datetime import UTC, date, datetime

import pytest

from services.funding.eligibility import check_eligibility
from services.funding.mailtext import (
    MailText,
    alert_mail,
    confirmation_mail,
    digest_mail,
    reminder_mail,
    webhook_disabled_mail,
)
from tests.funding.factories import make_call, make_municipality

UNSUB = "https://lotse.example.org/abmelden/tok_abc"
CALL = make_call(title="Glasfaser <für> Gemeinden & Ortsteile")
ELIGIBLE = check_eligibility(CALL.rules, make_municipality())


def all_mails() -> dict[str, MailText]:
    return {
        "confirmation": confirmation_mail(
            confirm_url="https://lotse.example.org/bestaetigen/tok_xyz",
            unsubscribe_url=UNSUB,
            description="Breitband in Hessen, sofort",
        ),
        "alert": alert_mail(call=CALL, unsubscribe_url=UNSUB, eligibility=ELIGIBLE),
        "change": alert_mail(call=CALL, unsubscribe_url=UNSUB, changed=["Fristen"]),
        "digest": digest_mail(
            day=date(2026, 3, 2),
            items=[(CALL, ELIGIBLE), (make_call(id="c2", title="Zweiter Aufruf"), None)],
            unsubscribe_url=UNSUB,
        ),
        "reminder": reminder_mail(
            call=CALL, deadline=CALL.deadlines[0], lead_days=3, unsubscribe_url=UNSUB
        ),
        "webhook": webhook_disabled_mail(
            endpoint_url="https://hooks.example.org/lotse",
            reason="keine erfolgreiche Zustellung seit 5 Tagen",
            since=datetime(2026, 3, 1, 7, 30, tzinfo=UTC),
            manage_url="https://lotse.example.org/abonnements/42",
            unsubscribe_url=UNSUB,
        ),
    }


@pytest.mark.parametrize("kind", list(all_mails()))
def test_every_mail_has_both_parts_and_one_click_unsubscribe(kind: str) -> None:
    mail = all_mails()[kind]
    message = mail.message(sender="Lotse <post@lotse.example.org>", to="a@gemeinde.de")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == f"<{UNSUB}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Subject"] == mail.subject
    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert UNSUB in plain.get_content()
    assert f'href="{UNSUB}"' in html.get_content()
    assert "<für>" not in html.get_content()  # funder text is escaped


def test_the_texts_say_what_happened_in_german() -> None:
    mails = all_mails()
    assert mails["confirmation"].subject == "Bitte bestätigen Sie Ihr Abonnement für Förderaufrufe"
    assert "https://lotse.example.org/bestaetigen/tok_xyz" in mails["confirmation"].text
    assert mails["alert"].subject == "Neuer Förderaufruf: Glasfaser <für> Gemeinden & Ortsteile"
    assert (
        "Ihre Kommune ist antragsberechtigt: Hessen ist förderberechtigt; "
        "Gemeinden bis 20.000 Einwohner" in mails["alert"].text
    )
    assert "Glasfaser &lt;für&gt; Gemeinden &amp; Ortsteile" in mails["alert"].html
    assert mails["change"].subject.startswith("Geänderter Förderaufruf:")
    assert "(Fristen)" in mails["change"].text
    assert mails["digest"].subject == "2 Förderaufrufe vom 02.03.2026"
    assert "1. Glasfaser" in mails["digest"].text and "2. Zweiter Aufruf" in mails["digest"].text
    assert mails["reminder"].subject == (
        "Erinnerung: Frist für „Glasfaser <für> Gemeinden & Ortsteile“ endet in 3 Tagen"
    )
    assert "am 30.03.2026, 10:00 Uhr" in mails["reminder"].text
    assert mails["webhook"].subject == "Ihr Webhook-Endpunkt wurde deaktiviert"
    assert "Fehlgeschlagen seit: 01.03.2026, 08:30 Uhr" in mails["webhook"].text


def test_a_digest_of_one_call_speaks_in_the_singular() -> None:
    mail = digest_mail(day=date(2026, 3, 2), items=[(CALL, None)], unsubscribe_url=UNSUB)
    assert mail.subject == "1 Förderaufruf vom 02.03.2026"
    assert "passte ein Förderaufruf" in mail.text
