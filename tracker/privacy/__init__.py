"""Privacy by design: consent to be named in public, a person's data on
request, erasure that keeps the totals, and retention.

``consent`` decides who public pages name; ``export`` gathers a person's
data; ``erasure`` replaces it everywhere (audit trail included) and keeps
every row a total counts; ``retention`` erases people past the configured
period (``flask retention run``).
"""

from tracker.privacy.routes import bp

__all__ = ["bp"]
