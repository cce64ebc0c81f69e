"""API endpoints: testimonials."""
