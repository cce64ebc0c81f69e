"""From an outbox row to a message on the wire: headers, parts, SMTP.

Headers are built with ``email.message.EmailMessage``, which refuses any
header value holding CR or LF (so no name or subject can add a header of its
own); names and subjects were put on one line when queued, so this refusal
only ever catches a row written some other way. The envelope recipient is
the row's one address, never read back from the headers.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import Any

from tracker.i18n import bcp47
from tracker.models import OutboxMessage

# SMTP's line ends, folding only past RFC 5322's 998 characters: a long
# List-Unsubscribe link must stay one "<https://...>", not encoded words.
POLICY = SMTP.clone(max_line_length=998)


class HeaderInjection(ValueError):
    """A header value with a line break: the message is refused, never sent."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


class TemporaryFailure(Exception):
    """The server or the network failed this time (4xx, timeout, disconnect)."""


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail for one outbox row, with a plain-text and an HTML part."""
    email = EmailMessage(policy=POLICY)
    try:
        email["From"] = sender
        email["To"] = Address(display_name=row.to_name, addr_spec=row.to_address)
        email["Subject"] = row.subject
        email["Date"] = format_datetime(row.created_at)
        email["Message-ID"] = row.message_id
        email["Auto-Submitted"] = "auto-generated"
        if row.unsubscribe_url:
            # RFC 2369 and RFC 8058: mail programs offer "unsubscribe" and POST
            # "List-Unsubscribe=One-Click" to the link, without a sign-in.
            email["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    except ValueError as error:  # CR/LF in a value, or an address that is none
        raise HeaderInjection(str(error)) from error
    email.set_content(row.body_text)
    email.add_alternative(row.body_html, subtype="html")
    # After the parts: set_content() drops every Content-* header set before.
    email["Content-Language"] = bcp47(row.locale)
    if row.attachment is not None:
        maintype, _, rest = row.attachment_type.partition("/")
        if maintype != "text":
            raise HeaderInjection("Only text attachments are supported.")
        subtype, *parameters = [part.strip() for part in rest.split(";")]
        email.add_attachment(
            row.attachment,
            subtype=subtype,
            filename=row.attachment_name,
            params=dict(part.split("=", 1) for part in parameters if "=" in part),
        )
    return email


class SmtpSender:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None
        self.envelope_from = parseaddr(config["MAIL_FROM"])[1]

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
        timeout = float(config["MAIL_TIMEOUT"])
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if config["MAIL_USE_SSL"]:
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
            if config["MAIL_USE_TLS"]:
                connection.starttls(context=context)
        if config["MAIL_USERNAME"]:
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return connection

    def send(self, email: EmailMessage, to_address: str) -> None:
        """Hand one message to the server; raise Permanent/TemporaryFailure."""
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(
                email, from_addr=self.envelope_from, to_addrs=[to_address]
            )
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise _by_code(
                min(codes), f"recipient refused: {error.recipients}"
            ) from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server closes the connection
                self.close()
            raise _by_code(
                error.smtp_code, f"{error.smtp_code} {error.smtp_error!r}"
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


def _by_code(code: int, text: str) -> Exception:
    return PermanentFailure(text) if 500 <= code < 600 else TemporaryFailure(text)
