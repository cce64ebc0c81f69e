"""Admin pages: password-set links sent by administrators."""
