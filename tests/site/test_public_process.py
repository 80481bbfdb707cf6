"""A public process only reads releases: after the router and every public page have run, nothing that builds
a release is loaded (no validation, suppression or cohort tables, no pandera or HiGHS), and nothing was
published by a page. The staff page loads the pipeline when it runs, and only then.

Each check runs in a fresh interpreter: the test process itself has loaded everything long before."""
from __future__ import annotations

import json
import subprocess
import sys

from leadsf.config import ROOT

# What a public process must never load: the release builders and the libraries only they use.
BUILDING = ("pandera", "highspy", "leadsf.pipeline.store", "leadsf.pipeline.publishing", "leadsf.pipeline.extracts",
            "leadsf.pipeline.release", "leadsf.pipeline.cohorts", "leadsf.pipeline.cohort_checks",
            "leadsf.pipeline.survival", "leadsf.pipeline.suppression", "leadsf.pipeline.suppression_cost",
            "leadsf.pipeline.sample", "pages.staff")

PROBE = """
import json, sys
from streamlit.testing.v1 import AppTest
from leadsf.site import nav

BUILDING = {building!r}
def loaded():
    return sorted(m for m in BUILDING if m in sys.modules)

ran, failed = [], []
at = AppTest.from_file({dashboard!r}, default_timeout=120).run()   # the router, then Home
failed += [("dashboard", e.value) for e in at.exception]
for spec in nav.PUBLIC if {every_page!r} else ():
    at = AppTest.from_string(f"from pages import {{spec.module}}\\n{{spec.module}}.render()", default_timeout=120).run()
    ran.append(spec.module)
    failed += [(spec.module, e.value) for e in at.exception]
result = {{"ran": ran, "failed": failed, "public": loaded()}}
if {with_staff!r}:
    at = AppTest.from_string("from pages import staff\\nstaff.render()", default_timeout=120).run()
    result["after_staff"] = loaded()
print(json.dumps(result))
"""


def probe(store, with_staff: bool, staff_page: str, every_page: bool = True) -> dict:
    script = PROBE.format(building=BUILDING, dashboard=str(ROOT / "dashboard.py"), with_staff=with_staff,
                          every_page=every_page)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LEADSF_DATA_DIR": str(store.root),
                               "LEADSF_STAFF_PAGE": staff_page, "HOME": str(store.root)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_public_page_runs_without_loading_the_publishing_pipeline(store):
    """`make run`'s single process routes the staff page too: routing it loads nothing of the pipeline."""
    result = probe(store, with_staff=True, staff_page="1")
    from leadsf.site import nav

    assert result["ran"] == [p.module for p in nav.PUBLIC] and not result["failed"], result["failed"]
    assert result["public"] == [], result["public"]
    # The probe sees the pipeline when it is loaded: the staff page loads it, when it runs.
    assert {"leadsf.pipeline.store", "leadsf.pipeline.publishing", "pages.staff"} <= set(result["after_staff"])


def test_a_page_of_an_empty_store_publishes_nothing(empty_store):
    """With nothing published, pages show their empty state; the sample is published at start
    (leadsf.pipeline.publishing.start), never inside a visitor's page run. (Every page reads the live release
    through ui.data.live, so the router and Home stand for all of them; test_home and test_maps check the
    empty state itself.)"""
    empty_store.root.mkdir(parents=True, exist_ok=True)
    result = probe(empty_store, with_staff=False, staff_page="0", every_page=False)
    assert result["public"] == [] and not result["failed"], result
    assert empty_store.current() is None and not empty_store.audit_log()
