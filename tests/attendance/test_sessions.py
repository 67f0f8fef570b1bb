import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from attendance.models import AttendanceRecord
from tests.attendance.conftest import add_session, add_student, enrol, photo

pytestmark = pytest.mark.django_db


def attendance(api, session_id: int) -> dict[int, dict]:
    body = api.get(f"/api/v1/sessions/{session_id}/attendance").json()
    return {row["student"]["id"]: row for row in body["attendance"]}


def test_sessions_crud_and_validation(api):
    session = add_session(api)
    assert api.get(f"/api/v1/sessions/{session['id']}").json()["course"] == "Maths"
    assert api.patch(f"/api/v1/sessions/{session['id']}", {"room": "C3"}, format="json").json()["room"] == "C3"
    start = timezone.now()
    backwards = {"course": "X", "starts_at": start.isoformat(), "ends_at": (start - timedelta(hours=1)).isoformat()}
    response = api.post("/api/v1/sessions", backwards, format="json")
    assert response.json()["error"]["code"] == "invalid_session_times"
    assert api.get("/api/v1/sessions").json()["count"] == 1
    assert api.delete(f"/api/v1/sessions/{session['id']}").status_code == 204


def test_a_group_photo_marks_both_and_returns_unknown_faces(api, enrolled):
    session = add_session(api)
    body = api.post(f"/api/v1/sessions/{session['id']}/photos", photo("two_people.jpg"), format="multipart").json()
    assert {face["student"]["id"] for face in body["recognised"]} == {s["id"] for s in enrolled.values()}
    assert body["unknown"] == []
    records = attendance(api, session["id"])
    assert set(records) == {s["id"] for s in enrolled.values()}
    for record in records.values():
        assert record["status"] == "present"
        assert record["source"] == "photo"
        assert record["evidence_url"]
    assert api.get(records[enrolled["obama"]["id"]]["evidence_url"])["Content-Type"] == "image/jpeg"

    group = api.post(f"/api/v1/sessions/{session['id']}/photos", photo("group_insightface_t1.jpg"), format="multipart")
    unknown = group.json()["unknown"]
    assert len(unknown) == 6
    assert all({"box", "landmarks", "candidates"} <= set(face) for face in unknown)


def test_marking_is_idempotent_first_time_and_best_confidence(api, enrolled):
    session = add_session(api)
    api.post(f"/api/v1/sessions/{session['id']}/photos", photo("two_people.jpg"), format="multipart")
    first = attendance(api, session["id"])[enrolled["obama"]["id"]]
    api.post(f"/api/v1/sessions/{session['id']}/photos", photo("obama2.jpg"), format="multipart")
    api.post(f"/api/v1/sessions/{session['id']}/photos", photo("two_people.jpg"), format="multipart")
    again = attendance(api, session["id"])[enrolled["obama"]["id"]]
    assert AttendanceRecord.unscoped.filter(student_id=enrolled["obama"]["id"]).count() == 1
    assert again["first_seen"] == first["first_seen"]
    assert again["confidence"] >= first["confidence"]


def test_check_in_marks_one_live_face(api, enrolled):
    session = add_session(api)
    response = api.post(f"/api/v1/sessions/{session['id']}/check-in", photo("obama2.jpg"), format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["student"]["id"] == enrolled["obama"]["id"]
    assert body["status"] == "present"
    assert body["liveness"]["is_real"] is True
    assert attendance(api, session["id"])[enrolled["obama"]["id"]]["source"] == "check-in"


def test_check_in_after_the_grace_period_is_late(api, enrolled):
    session = add_session(api, starts_at=(timezone.now() - timedelta(minutes=30)).isoformat())
    body = api.post(f"/api/v1/sessions/{session['id']}/check-in", photo("biden.jpg"), format="multipart").json()
    assert body["status"] == "late"


@pytest.mark.parametrize(
    ("name", "code"),
    [("two_people.jpg", "many_faces"), ("noface_coffee.png", "no_face"), ("alex-lacamoire.png", "not_recognised")],
)
def test_check_in_refusals(api, enrolled, name, code):
    session = add_session(api)
    response = api.post(f"/api/v1/sessions/{session['id']}/check-in", photo(name), format="multipart")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_manual_correction_is_audited_and_sticks(api, enrolled):
    session = add_session(api)
    student_id = enrolled["biden"]["id"]
    url = f"/api/v1/sessions/{session['id']}/attendance/{student_id}"
    response = api.patch(url, {"status": "excused"}, format="json")
    assert response.json()["status"] == "excused"
    assert response.json()["source"] == "manual"
    api.post(f"/api/v1/sessions/{session['id']}/photos", photo("biden.jpg"), format="multipart")
    assert attendance(api, session["id"])[student_id]["status"] == "excused"  # recognition does not overrule
    assert api.patch(url, {"status": "sleeping"}, format="json").status_code == 400
    event = api.get("/api/v1/audit").json()["results"][0]
    assert event["action"] == "correct_attendance"
    assert event["details"] == {"student_id": student_id, "previous": None, "status": "excused"}


def test_attendance_csv_downloads_and_parses(api, enrolled):
    session = add_session(api)
    api.post(f"/api/v1/sessions/{session['id']}/photos", photo("two_people.jpg"), format="multipart")
    response = api.get(f"/api/v1/sessions/{session['id']}/attendance.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="attendance-session-{session["id"]}.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["external_id"] for row in rows} == {"S1", "S2"}
    assert set(rows[0]) == {"external_id", "name", "group", "status", "first_seen", "source", "confidence"}
    assert all(row["status"] == "present" and float(row["confidence"]) > 0.5 for row in rows)


def test_correcting_an_unknown_student_or_session_is_404(api, enrolled):
    session = add_session(api)
    assert api.patch(f"/api/v1/sessions/{session['id']}/attendance/999999", {"status": "present"}).status_code == 404
    assert api.post("/api/v1/sessions/999999/photos", photo("obama.jpg"), format="multipart").status_code == 404


def test_students_of_other_schools_are_never_marked(api, other_tenant, enrolled):
    theirs = add_student(other_tenant.client(), "T1", "Their Obama")
    enrol(other_tenant.client(), theirs["id"], "obama2.jpg")
    session = add_session(api)
    body = api.post(f"/api/v1/sessions/{session['id']}/photos", photo("obama.jpg"), format="multipart").json()
    assert [face["student"]["id"] for face in body["recognised"]] == [enrolled["obama"]["id"]]


def test_a_record_without_evidence_has_no_evidence_photo(api, enrolled):
    session = add_session(api)
    student_id = enrolled["obama"]["id"]
    api.patch(f"/api/v1/sessions/{session['id']}/attendance/{student_id}", {"status": "present"}, format="json")
    response = api.get(f"/api/v1/sessions/{session['id']}/attendance/{student_id}/evidence")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
