"""Static files are linked with a version of their content (nginx caches them)."""

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pages_link_static_files_with_their_content_hash(client):
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]+))"', page)
    assert match, "the stylesheet is linked without a version"
    expected = hashlib.sha256((ROOT / "static/css/app.css").read_bytes()).hexdigest()
    assert match.group(2) == expected[:12]
    response = client.get(match.group(1))
    assert response.status_code == 200
    response.close()
