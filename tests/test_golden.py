"""Golden files for the narrative passages and the whole text of the test schools' plans,
taken from the document model (every format renders the same model).

Update after a deliberate change with `make golden`, then review `git diff tests/`.
"""

import pytest

from kehoach_nb.plans import build_report

from .conftest import DATA


@pytest.fixture(scope="module", params=["TH01", "THCS01"])
def report(request):
    return build_report(str(DATA / "mini"), request.param)


def test_narrative_passages(report, snapshot):
    assert report.texts == snapshot


def test_document_text(report, snapshot):
    assert report.text() == snapshot
