"""The program's fixed vocabularies."""

from enum import StrEnum


class Role(StrEnum):
    CONTACT = "contact"
    COORDINATOR = "coordinator"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            Role.CONTACT: "Municipal contact",
            Role.COORDINATOR: "Coordinator",
            Role.MANAGER: "Manager",
            Role.ADMIN: "Administrator",
        }[self]


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
            return f"Metropolitan ({lower:,}+)"
        return f"{self.value.capitalize()} ({lower:,}–{upper - 1:,})"

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


def label(value: StrEnum | str | None) -> str:
    """Human text for an enum value: ``study_week`` becomes ``Study week``."""
    if value is None:
        return ""
    text = str(value.value if isinstance(value, StrEnum) else value)
    return text.replace("_", " ").capitalize()
