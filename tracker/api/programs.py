"""API endpoints: programs."""
