"""PDF certificates: ILTP completion and event attendance, each with a
verification code that a public page confirms; the ZIP of an event's
attendance certificates.

``bp`` lives in ``routes.py``; the rules of who holds a certificate in
``services.py``; the PDF layout in ``pdf.py``.
"""

from tracker.certificates.routes import bp

__all__ = ["bp"]
