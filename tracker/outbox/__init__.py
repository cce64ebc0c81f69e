"""E-mail that loses nothing: a transactional outbox, its worker, and the
messages it sends (notifications, invitations, reminders, digests, links).

``services.queue`` writes a message in the transaction of the change that
causes it; ``worker.run`` (``flask outbox run``) sends what is queued.
"""

from flask import Flask

from tracker.notifications.services import add_channel
from tracker.outbox.routes import bp
from tracker.outbox.services import mail_channel


def init_app(app: Flask) -> None:
    """E-mail becomes a channel of every ``notify()`` made with a kind."""
    add_channel(mail_channel)


__all__ = ["bp", "init_app"]
