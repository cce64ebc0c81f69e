"""Access rules of the outbox: its page and actions for administrators only;
the unsubscribe link for anyone holding it (the signed token is the key)."""

from tests.access.matrix import Row, admins_only, public_page
from tests.access.world import World
from tracker.extensions import db
from tracker.models import MailKind, MailStatus, OutboxMessage
from tracker.outbox.services import unsubscribe_token


def build(world: World) -> None:
    """A failed message (retry and cancel apply) and a valid unsubscribe token."""
    message = OutboxMessage(
        kind=MailKind.TESTIMONIAL_OUTCOME,
        status=MailStatus.DEAD,
        to_address="contact.rijeka@example.org",
        subject="Your testimonial is approved",
        body_text="Approved.",
        body_html="<p>Approved.</p>",
        message_id="<matrix@upp.example.org>",
        attempts=8,
        last_error="451 try again",
    )
    db.session.add(message)
    db.session.flush()
    world["outbox_message"] = message.id
    world["unsubscribe_token"] = unsubscribe_token(
        "contact.rijeka@example.org", MailKind.TESTIMONIAL_OUTCOME
    )


ROWS: list[Row] = [
    admins_only("GET", "/outbox/"),
    admins_only("GET", "/outbox/?status=dead"),
    admins_only("POST", "/outbox/{outbox_message}/retry"),
    admins_only("POST", "/outbox/{outbox_message}/cancel"),
    # Anyone with the link; a bad token answers 400 ("not valid") to everyone.
    public_page("GET", "/outbox/unsubscribe/{unsubscribe_token}"),
    public_page("POST", "/outbox/unsubscribe/{unsubscribe_token}"),
    public_page("GET", "/outbox/unsubscribe/not-a-valid-token"),
    public_page("POST", "/outbox/unsubscribe/not-a-valid-token"),
]
