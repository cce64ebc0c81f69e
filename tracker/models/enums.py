"""The program's fixed vocabularies, and their labels in the reader's language."""

from enum import StrEnum

from flask_babel import LazyString, format_decimal

from tracker.translation import LazyText, gettext


def lazy_gettext(message: str) -> LazyString:
    """Flask-Babel's lazy string (markup-safe labels, as before), translated
    through ``tracker.translation.gettext``'s request-wide catalog."""
    return LazyString(gettext, message)


class Role(StrEnum):
    CONTACT = "contact"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(LABELS[self.value])


class SizeClass(StrEnum):
    """Municipal size by population; bounds are [lower, upper)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    METROPOLITAN = "metropolitan"

    @property
    def bounds(self) -> tuple[int, int | None]:
        return SIZE_CLASS_BOUNDS[self]

    @property
    def label(self) -> str:
        lower, upper = self.bounds
        if upper is None:
            return gettext("Metropolitan (%(lower)s+)", lower=format_decimal(lower))
        return gettext(
            "%(size)s (%(lower)s–%(upper)s)",
            size=LABELS[self.value],
            lower=format_decimal(lower),
            upper=format_decimal(upper - 1),
        )

    @classmethod
    def for_population(cls, population: int | None) -> "SizeClass | None":
        if population is None:
            return None
        for size_class, (lower, upper) in SIZE_CLASS_BOUNDS.items():
            if population >= lower and (upper is None or population < upper):
                return size_class
        return None


SIZE_CLASS_BOUNDS: dict[SizeClass, tuple[int, int | None]] = {
    SizeClass.SMALL: (0, 20_000),
    SizeClass.MEDIUM: (20_000, 100_000),
    SizeClass.LARGE: (100_000, 500_000),
    SizeClass.METROPOLITAN: (500_000, None),
}


class StageKind(StrEnum):
    """What a program stage means for reporting: still going, done, or left."""

    WORKING = "working"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class AssessmentKind(StrEnum):
    BASELINE = "baseline"
    FOLLOW_UP = "follow_up"


class EventKind(StrEnum):
    SUMMIT = "summit"
    STUDY_WEEK = "study_week"
    STUDY_TOUR = "study_tour"
    TRAINING = "training"
    WORKSHOP = "workshop"
    CONFERENCE = "conference"


class SessionKind(StrEnum):
    OPENING = "opening"
    KEYNOTE = "keynote"
    PRESENTATION = "presentation"
    BUSINESS_MEETING = "business_meeting"
    SITE_VISIT = "site_visit"
    SIGNING = "signing"
    OTHER = "other"


class ParticipationRole(StrEnum):
    DELEGATE = "delegate"
    PRESENTER = "presenter"
    SPEAKER = "speaker"
    ORGANISER = "organiser"
    OBSERVER = "observer"


class Attendance(StrEnum):
    PROPOSED = "proposed"
    REGISTERED = "registered"
    ATTENDED = "attended"
    ABSENT = "absent"
    CANCELLED = "cancelled"


class TestimonialStatus(StrEnum):
    __test__ = False  # not a pytest test class despite the name

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class MailKind(StrEnum):
    """What an e-mail is about; each user chooses which kinds they receive."""

    TESTIMONIAL_REVIEW = "testimonial_review"
    TESTIMONIAL_OUTCOME = "testimonial_outcome"
    PROPOSAL_RECEIVED = "proposal_received"
    PROPOSAL_OUTCOME = "proposal_outcome"
    STAGE_CHANGE = "stage_change"
    EVENT_INVITATION = "event_invitation"
    EVENT_REMINDER = "event_reminder"
    WEEKLY_DIGEST = "weekly_digest"
    PASSWORD_LINK = "password_link"

    @property
    def label(self) -> str:
        return str(LABELS[self.value])


class MailStatus(StrEnum):
    """Where an outbox message stands: waiting, being sent, done, or given up."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"


class ConsentMethod(StrEnum):
    """How a person gave (or withdrew) consent to be named in public."""

    FORM = "form"
    PAPER = "paper"
    EMAIL = "email"


class ListingBasis(StrEnum):
    """The documented legal basis on which an event's presenters are named
    in public without their own consent (officials in an official capacity)."""

    CONSENT_ONLY = "consent_only"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


# Every value's label, by value (the vocabularies share none that differ in
# meaning: "completed" is a stage kind and reads the same everywhere).
LABELS = {
    "contact": lazy_gettext("Municipal contact"),
    "coordinator": lazy_gettext("Coordinator"),
    "manager": lazy_gettext("Manager"),
    "admin": lazy_gettext("Administrator"),
    "small": lazy_gettext("Small"),
    "medium": lazy_gettext("Medium"),
    "large": lazy_gettext("Large"),
    "metropolitan": lazy_gettext("Metropolitan"),
    "working": lazy_gettext("Working"),
    "completed": lazy_gettext("Completed"),
    "withdrawn": lazy_gettext("Withdrawn"),
    "baseline": lazy_gettext("Baseline"),
    "follow_up": lazy_gettext("Follow up"),
    "summit": lazy_gettext("Summit"),
    "study_week": lazy_gettext("Study week"),
    "study_tour": lazy_gettext("Study tour"),
    "training": lazy_gettext("Training"),
    "workshop": lazy_gettext("Workshop"),
    "conference": lazy_gettext("Conference"),
    "opening": lazy_gettext("Opening"),
    "keynote": lazy_gettext("Keynote"),
    "presentation": lazy_gettext("Presentation"),
    "business_meeting": lazy_gettext("Business meeting"),
    "site_visit": lazy_gettext("Site visit"),
    "signing": lazy_gettext("Signing"),
    "other": lazy_gettext("Other"),
    "delegate": lazy_gettext("Delegate"),
    "presenter": lazy_gettext("Presenter"),
    "speaker": lazy_gettext("Speaker"),
    "organiser": lazy_gettext("Organiser"),
    "observer": lazy_gettext("Observer"),
    "proposed": lazy_gettext("Proposed"),
    "registered": lazy_gettext("Registered"),
    "attended": lazy_gettext("Attended"),
    "absent": lazy_gettext("Absent"),
    "cancelled": lazy_gettext("Cancelled"),
    "draft": lazy_gettext("Draft"),
    "submitted": lazy_gettext("Submitted"),
    "approved": lazy_gettext("Approved"),
    "rejected": lazy_gettext("Rejected"),
    "testimonial_review": lazy_gettext("Testimonials waiting for review"),
    "testimonial_outcome": lazy_gettext("Decisions on your testimonials"),
    "proposal_received": lazy_gettext("Participants proposed for events"),
    "proposal_outcome": lazy_gettext("Decisions on your proposals"),
    "stage_change": lazy_gettext("Stage changes of your municipality"),
    "event_invitation": lazy_gettext("Event invitations"),
    "event_reminder": lazy_gettext("Event reminders"),
    "weekly_digest": lazy_gettext("Weekly digest of changed figures"),
    "password_link": lazy_gettext("Password-set links"),
    "pending": lazy_gettext("Pending"),
    "sending": lazy_gettext("Sending"),
    "sent": lazy_gettext("Sent"),
    "dead": lazy_gettext("Failed"),
    "form": lazy_gettext("Form"),
    "paper": lazy_gettext("On paper"),
    "email": lazy_gettext("By e-mail"),
    "consent_only": lazy_gettext(
        "Consent only: presenters are named when they consent"
    ),
    "public_task": lazy_gettext(
        "Public task: officials presenting in an official capacity"
    ),
    "legitimate_interests": lazy_gettext(
        "Legitimate interests: presenters announced on the public agenda"
    ),
}


def label(value: StrEnum | str | None) -> str:
    """Human text for an enum value, in the reader's language (``study_week``
    reads "Study week" in English)."""
    if value is None:
        return ""
    text = str(value.value if isinstance(value, StrEnum) else value)
    if text in LABELS:
        return str(LABELS[text])
    return text.replace("_", " ").capitalize()


def lazy_label(value: StrEnum | str | None) -> LazyText:
    """``label(value)`` made when shown: for choices built at import time."""
    return LazyText(label, value)
