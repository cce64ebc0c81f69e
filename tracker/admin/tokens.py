"""Admin pages: tokens."""
