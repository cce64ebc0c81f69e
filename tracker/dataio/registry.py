"""Every kind of record that comes in and goes out as CSV, by name.

Each kind lives with its domain (``<domain>/io.py``); listing them here, by
hand, is what makes one importable from /admin/import and ``flask import-csv``.
"""

from tracker.dataio.engine import Kind
from tracker.events.io import PARTICIPATIONS
from tracker.municipalities.io import MUNICIPALITIES
from tracker.people.io import PEOPLE

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (MUNICIPALITIES, PEOPLE, PARTICIPATIONS)
}
