"""Where the area briefs live in a release's public folder: `briefs/<area_id>.<lang>.html` and `.png`. Apart
from leadsf.pipeline.briefs, which makes them with matplotlib, so that the site can link a brief (and opendata
serve one) without loading what draws them."""
from __future__ import annotations

FOLDER = "briefs"


def file_name(area_id: str, lang: str, suffix: str = "html") -> str:
    return f"{area_id}.{lang}.{suffix}"
