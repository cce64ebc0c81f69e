"""All models, one module per domain, re-exported here."""

from tracker.models.accounts import ApiToken, User
from tracker.models.audit import AuditEntry
from tracker.models.base import Base, utcnow
from tracker.models.certificates import CalendarFeed, Certificate, CertificateKind

# Last: attachments refer to the records above.
from tracker.models.documents import (  # noqa: E402 (after its owners)
    Attachment,
    AttachmentVersion,
    Visibility,
)
from tracker.models.enrollments import (
    ASSESSMENT_AREAS,
    Assessment,
    Enrollment,
    StageChange,
)
from tracker.models.enums import (
    AssessmentKind,
    Attendance,
    ConsentMethod,
    EventKind,
    ListingBasis,
    MailKind,
    MailStatus,
    ParticipationRole,
    Role,
    SessionKind,
    SizeClass,
    StageKind,
    TestimonialStatus,
)
from tracker.models.events import Event, EventSession, Participation
from tracker.models.merges import MergedRecord
from tracker.models.notifications import Notification
from tracker.models.outbox import MailOptOut, OutboxMessage
from tracker.models.places import Country, Municipality, Person
from tracker.models.privacy import Erasure, ListingConsent, PresenterListingBasis
from tracker.models.programs import Cohort, Program, Stage
from tracker.models.testimonials import Testimonial

__all__ = [
    "ASSESSMENT_AREAS",
    "ApiToken",
    "Assessment",
    "AssessmentKind",
    "Attachment",
    "AttachmentVersion",
    "Attendance",
    "AuditEntry",
    "Base",
    "CalendarFeed",
    "Certificate",
    "CertificateKind",
    "Cohort",
    "ConsentMethod",
    "Country",
    "Enrollment",
    "Erasure",
    "Event",
    "EventKind",
    "EventSession",
    "ListingBasis",
    "ListingConsent",
    "MailKind",
    "MailOptOut",
    "MailStatus",
    "MergedRecord",
    "Municipality",
    "Notification",
    "OutboxMessage",
    "Participation",
    "ParticipationRole",
    "Person",
    "PresenterListingBasis",
    "Program",
    "Role",
    "SessionKind",
    "SizeClass",
    "Stage",
    "StageChange",
    "StageKind",
    "Testimonial",
    "TestimonialStatus",
    "User",
    "Visibility",
    "utcnow",
]
