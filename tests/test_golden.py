"""Golden files for the narrative passages and display tables of the test schools.

Update after a deliberate change with `make golden`, then review `git diff tests/`.
"""

import pytest

from kehoach_nb.report import build_report

from .conftest import DATA


@pytest.fixture(scope="module", params=["TH01", "THCS01"])
def report(request):
    return build_report(str(DATA / "mini"), request.param)


def test_narrative_passages(report, snapshot):
    assert report.texts == snapshot


def test_document_blocks_html(report, snapshot):
    # charts are PNG data: compare everything but the image bytes
    import re

    html = re.sub(r'src="data:image/png;base64,[^"]+"', 'src="data:…"', report.render_html())
    assert html == snapshot
