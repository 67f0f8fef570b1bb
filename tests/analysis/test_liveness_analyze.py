"""``analyze`` serves the liveness head over HTTP: every face gets ``liveness`` (DESIGN §4)."""

import pytest

from tests.analysis.conftest import upload
from tests.analysis.test_sync_endpoints import post

pytestmark = pytest.mark.django_db


def test_every_face_gets_liveness(api):
    body = post(api, "analyze", upload("two_people.jpg")).json()
    assert len(body["faces"]) == 2
    for face in body["faces"]:
        assert set(face["liveness"]) == {"is_real", "score"}
        assert face["liveness"]["is_real"] is True
        assert 0.0 <= face["liveness"]["score"] <= 1.0
    assert body["models"]["liveness"].startswith("minifasnet-v2-v1se-")


def test_features_narrows_to_liveness(api):
    body = post(api, "analyze", upload("obama.jpg"), features="liveness").json()
    [face] = body["faces"]
    assert set(face) == {"box", "confidence", "landmarks", "liveness"}
    assert set(body["models"]) == {"detector", "liveness"}
