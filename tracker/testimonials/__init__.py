"""Testimonials: submitted by contacts, reviewed by coordinators, published."""

from tracker.testimonials.routes import bp

__all__ = ["bp"]
