"""Access-matrix rows, one module per domain (see ``matrix.py``)."""
