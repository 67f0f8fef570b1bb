"""Tenant isolation over every URL pattern of the API and the dashboard, read from the URL resolver.

School A (an API key, and a dashboard admin) probes school B's objects through every route. Routes naming an
object answer 404 (405 where the method does not exist) and change nothing; routes listing or creating rows
never show B's data. A new URL pattern without an entry in MATRIX fails ``test_every_url_pattern_is_in_the_matrix``.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from analysis.models import AnalysisJob
from attendance.models import AttendanceRecord, AuditEvent, ClassSession, FaceEnrollment, Membership, Student, VideoJob
from attendance.services.schools import create_api_key
from attendance.services.sessions import create_session, mark_present
from attendance.services.students import create_student, enroll_face
from ml_models.images import decode_image
from tests.conftest import PHOTOS, Tenant
from tests.dashboard.conftest import logged_in, make_member

pytestmark = pytest.mark.django_db

OBJECT = "object"  # names B's objects by id: 404 for every method, nothing changes
LIST = "list"  # lists or shows the caller's own rows: never B's
CREATE = "create"  # creates rows for the caller: answers without B's data, B's rows untouched
SWITCH = "switch"  # the dashboard's school switch: only to the user's own schools
PUBLIC = "public"  # holds no tenant data

MATRIX = {
    "healthz": PUBLIC,
    "schema": PUBLIC,
    "docs": PUBLIC,
    "models": PUBLIC,
    "current-school": LIST,
    "students": LIST,
    "sessions": LIST,
    "audit": LIST,
    "identify": CREATE,
    "detect": CREATE,
    "analyze": CREATE,
    "embed": CREATE,
    "verify": CREATE,
    "analysis-jobs": CREATE,
    "student-detail": OBJECT,
    "student-faces": OBJECT,
    "student-face": OBJECT,
    "student-face-thumbnail": OBJECT,
    "session-detail": OBJECT,
    "session-photos": OBJECT,
    "session-check-in": OBJECT,
    "session-attendance": OBJECT,
    "session-attendance-csv": OBJECT,
    "attendance-record": OBJECT,
    "attendance-evidence": OBJECT,
    "session-videos": OBJECT,
    "session-video": OBJECT,
    "job-detail": OBJECT,
    "dashboard:home": LIST,
    "dashboard:login": PUBLIC,
    "dashboard:logout": PUBLIC,
    "dashboard:switch-school": SWITCH,
    "dashboard:students": LIST,
    "dashboard:student-create": CREATE,
    "dashboard:student": OBJECT,
    "dashboard:student-edit": OBJECT,
    "dashboard:student-delete": OBJECT,
    "dashboard:student-enrol": OBJECT,
    "dashboard:face-thumbnail": OBJECT,
    "dashboard:face-delete": OBJECT,
    "dashboard:sessions": LIST,
    "dashboard:session-create": CREATE,
    "dashboard:session": OBJECT,
    "dashboard:session-photo": OBJECT,
    "dashboard:session-video": OBJECT,
    "dashboard:session-csv": OBJECT,
    "dashboard:attendance-correct": OBJECT,
    "dashboard:evidence": OBJECT,
    "dashboard:engagement": OBJECT,
    "dashboard:kiosk": OBJECT,
    "dashboard:kiosk-check-in": OBJECT,
    "dashboard:jobs": LIST,
    "dashboard:job": OBJECT,
    "dashboard:job-status": OBJECT,
    "dashboard:charts": LIST,
    "dashboard:keys": LIST,
    "dashboard:key-revoke": OBJECT,
}
# Django's admin is for superusers, who are not tenants: it is outside the matrix.
EXCLUDED_NAMESPACES = ("admin",)
MARKER = "Secret-B"  # in the name of every object of school B that a page could show
API_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    callback: object

    @property
    def is_api(self) -> bool:
        return self.path.startswith("api/")

    def methods(self) -> list[str]:
        view_class = getattr(self.callback, "cls", None)
        if view_class is None:
            return ["get", "post"]
        return [m for m in API_METHODS if hasattr(view_class, m)]

    def url(self, ids: dict[str, object]) -> str:
        url = "/" + self.path
        for name, value in ids.items():
            for converter in ("int", "uuid"):
                url = url.replace(f"<{converter}:{name}>", str(value))
        assert "<" not in url, f"no id of B for {self.path}"
        return url


def url_routes() -> Iterator[Route]:
    def walk(patterns: list, prefix: str, namespace: str | None) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield Route(name, prefix + str(pattern.pattern), pattern.callback)

    return walk(get_resolver().url_patterns, "", None)


ROUTES = list(url_routes())


def test_every_url_pattern_is_in_the_matrix() -> None:
    names = [route.name for route in ROUTES]
    assert len(names) == len(set(names)), "every URL pattern needs a unique name"
    assert set(names) - set(MATRIX) == set(), "new URL patterns: give each an entry in MATRIX"
    assert set(MATRIX) - set(names) == set(), "MATRIX names routes that no longer exist"


@pytest.fixture
def school_b(other_tenant: Tenant) -> dict[str, object]:
    """School B with one of everything: a student with a face, a session with evidence, jobs, a key, a member."""
    school = other_tenant.school
    student = create_student(school=school, external_id="B-1", name=f"Beatrice {MARKER}", group=f"{MARKER}-7B")
    image = decode_image((PHOTOS / "obama.jpg").read_bytes())
    face = enroll_face(school=school, student=student, image=image, actor="cli:tests")
    start = timezone.now() - timedelta(minutes=5)
    session = create_session(school=school, course=f"Course {MARKER}", group=f"{MARKER}-7B", starts_at=start,
                             ends_at=start + timedelta(hours=1))  # fmt: skip
    mark_present(school=school, session=session, student=student, seen_at=start, confidence=0.9,
                 source=AttendanceRecord.Source.PHOTO, evidence=bytes(face.thumbnail))  # fmt: skip
    video = VideoJob.unscoped.create(school=school, session=session, options={"sample_fps": 2.0},
                                     video_name=f"{MARKER}.mp4", status="succeeded", progress=100)  # fmt: skip
    AnalysisJob.unscoped.create(school=school, status="succeeded", progress=100, result={"note": MARKER})
    key, _ = create_api_key(school=school, actor="cli:tests", name=f"key {MARKER}")
    make_member(school, "b-admin", Membership.Role.ADMIN)
    return {
        "student_id": student.pk, "face_id": face.pk, "session_id": session.pk, "job_id": video.pk,
        "key_id": key.pk,
    }  # fmt: skip


def snapshot() -> dict[str, object]:
    """B's rows as they are: compared before and after the probes."""
    return {
        "students": sorted(Student.unscoped.values_list("id", "name", "active")),
        "faces": sorted(FaceEnrollment.unscoped.values_list("id", flat=True)),
        "sessions": sorted(ClassSession.unscoped.values_list("id", "course", "room")),
        "records": sorted(AttendanceRecord.unscoped.values_list("id", "status")),
        "video_jobs": sorted(str(v) for v in VideoJob.unscoped.values_list("id", flat=True)),
        "keys": sorted(Membership.unscoped.values_list("id", "role")),
        "revoked": sorted(str(k) for k in AuditEvent.unscoped.filter(action="revoke_api_key").values_list("id")),
    }


@pytest.fixture
def probes(tenant: Tenant, school_b: dict[str, object]) -> dict[str, Client]:
    admin = make_member(tenant.school, "a-admin", Membership.Role.ADMIN)
    return {"api": tenant.client(), "dashboard": logged_in(admin)}


def call(client: Client, method: str, url: str) -> object:
    return getattr(client, method)(url)


@pytest.mark.parametrize("route", [r for r in ROUTES if MATRIX.get(r.name) == OBJECT], ids=lambda r: r.name)
def test_school_a_cannot_reach_school_bs_objects(route: Route, probes: dict, school_b: dict) -> None:
    client = probes["api" if route.is_api else "dashboard"]
    url = route.url(school_b)
    before = snapshot()
    for method in route.methods():
        response = call(client, method, url)
        assert response.status_code in (404, 405), f"{method.upper()} {url}: {response.status_code}"
        assert MARKER not in response.content.decode(errors="replace")
    assert snapshot() == before


@pytest.mark.parametrize("route", [r for r in ROUTES if MATRIX.get(r.name) in (LIST, CREATE)], ids=lambda r: r.name)
def test_lists_and_creations_never_show_school_bs_rows(route: Route, probes: dict, school_b: dict) -> None:
    client = probes["api" if route.is_api else "dashboard"]
    url = route.url({})
    before = snapshot()
    for method in ("get", "post") if MATRIX[route.name] == CREATE else ("get",):
        response = call(client, method, url)
        assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
        assert MARKER not in response.content.decode(errors="replace"), f"{method.upper()} {url}"
    if route.name == "dashboard:charts":
        page = client.get(url, {"group": f"{MARKER}-7B"})
        assert MARKER not in page.content.decode().replace(f"group {MARKER}-7B", "")
    assert snapshot() == before


def test_the_school_switch_goes_only_to_the_users_schools(probes: dict, other_tenant: Tenant) -> None:
    dashboard = probes["dashboard"]
    assert dashboard.post("/switch-school", {"school": other_tenant.school.pk}).status_code == 302
    for page in ("/students", "/sessions", "/jobs", "/keys"):
        assert MARKER not in dashboard.get(page).content.decode()


def test_a_user_of_school_b_sees_it_all(school_b: dict) -> None:
    """The matrix's own check: B's member does see B's rows, so the absence above means something."""
    client = logged_in(User.objects.get(username="b-admin"))
    assert MARKER in client.get("/students").content.decode()
    assert client.get(f"/sessions/{school_b['session_id']}").status_code == 200
