"""A key of school B never reads or learns of school A's data; every route: tests/hardening/test_isolation_matrix.py."""

import pytest

from tests.attendance.conftest import add_session, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_a(api, enrolled):
    session = add_session(api)
    api.post(f"/api/v1/sessions/{session['id']}/photos", photo("two_people.jpg"), format="multipart")
    face = api.get(f"/api/v1/students/{enrolled['obama']['id']}/faces").json()[0]
    return {"student": enrolled["obama"]["id"], "session": session["id"], "face": face["id"]}


def test_school_b_sees_nothing_of_school_a(school_a, other_tenant):
    b = other_tenant.client()
    s, ses, f = school_a["student"], school_a["session"], school_a["face"]
    for url in (
        f"/api/v1/students/{s}",
        f"/api/v1/students/{s}/faces",
        f"/api/v1/students/{s}/faces/{f}/thumbnail",
        f"/api/v1/sessions/{ses}",
        f"/api/v1/sessions/{ses}/attendance",
        f"/api/v1/sessions/{ses}/attendance.csv",
        f"/api/v1/sessions/{ses}/attendance/{s}/evidence",
    ):
        response = b.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert b.get("/api/v1/students").json()["count"] == 0
    assert b.get("/api/v1/sessions").json()["count"] == 0
    assert [event["action"] for event in b.get("/api/v1/audit").json()["results"]] == ["create_api_key"]  # its own


def test_school_b_identifies_nobody_from_school_a(school_a, other_tenant):
    faces = other_tenant.client().post("/api/v1/identify", photo("obama2.jpg"), format="multipart").json()["faces"]
    assert faces[0]["student"] is None
    assert faces[0]["candidates"] == []


def test_a_missing_and_a_foreign_id_answer_identically(school_a, other_tenant):
    b = other_tenant.client()
    foreign = b.get(f"/api/v1/students/{school_a['student']}")
    missing = b.get("/api/v1/students/987654321")
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
