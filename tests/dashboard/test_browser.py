"""The dashboard in a real headless Chromium against a live server, a real worker and the real models.

Each main page is saved as a full-page screenshot to docs/screenshots/ (committed; the README shows two).
"""

import csv
import io
import os
import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright import sync_api as playwright_sync

from attendance.models import AttendanceRecord, Membership
from attendance.services.sessions import correct_attendance, create_session
from attendance.services.students import create_student
from tests.conftest import PHOTOS, PROJECT_ROOT, SHARED_DATA, Tenant, make_tenant
from tests.dashboard.conftest import PASSWORD, make_member
from tests.dashboard.fake_camera import write_y4m

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
VIDEO = SHARED_DATA / "videos" / "short_hamilton_clip.mp4"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package (tests/ensure_test_tools.sh).")
    camera = write_y4m(PHOTOS / "obama.jpg", tmp_path_factory.mktemp("camera") / "obama.y4m")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests themselves are still
    # plain synchronous code, so Django's guard against ORM use inside a running loop is lifted for this module.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera}",
                "--no-sandbox",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page_for(browser: object, live_server: object) -> Iterator[object]:
    contexts = []

    def open_page(username: str) -> object:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def flash(page: object) -> str:
    return page.inner_text(".messages")


def add_student(page: object, name: str, external_id: str, group: str = "7B") -> None:
    page.goto("/students/new")
    page.fill("#id_name", name)
    page.fill("#id_external_id", external_id)
    page.fill("#id_group", group)
    page.click("button:has-text('Save')")
    page.wait_for_selector(f"h1:has-text('{name}')")


def enrol_upload(page: object, photo: Path) -> str:
    page.set_input_files("#id_image", str(photo))
    page.click("button:has-text('Enrol this photo')")
    page.wait_for_selector(".messages")
    return flash(page)


@pytest.mark.django_db(transaction=True)
def test_a_school_admin_runs_a_class_in_the_browser(page_for: object, celery_worker_process: str) -> None:
    tenant = make_tenant()
    make_member(tenant.school, "admin", Membership.Role.ADMIN)
    page = page_for("admin")
    assert page.url.endswith("/students")

    add_student(page, "Joe Biden", "S2")
    assert "Enrolled a new face for Joe Biden" in enrol_upload(page, PHOTOS / "biden.jpg")
    assert page.locator("ul.faces img").count() == 1
    add_student(page, "Lin-Manuel Miranda", "S3")
    assert "Enrolled" in enrol_upload(page, PHOTOS / "lin-manuel-miranda.png")

    # Enrolment from the (fake) webcam, which shows obama.jpg.
    add_student(page, "Barack Obama", "S1")
    page.click("button:has-text('Start camera')")
    page.click("button:has-text('Capture and enrol')")
    page.wait_for_selector(".webcam .outcome.message:not(:has-text('Checking'))")
    assert "Enrolled" in page.inner_text(".webcam .outcome")
    shot(page, "enrolment")
    page.wait_for_selector("ul.faces img")  # the page reloads to show the new face

    # A refusal said in words: Obama's face offered for Joe Biden.
    page.goto("/students")
    page.click("text=Joe Biden")
    assert "already enrolled for another student (Barack Obama)" in enrol_upload(page, PHOTOS / "obama.jpg")
    page.goto("/students")
    shot(page, "students")

    session_id = _create_session_in_page(page)
    page.set_input_files("#id_photo", str(PHOTOS / "two_people.jpg"))
    page.click("button:has-text('Mark attendance')")
    table = page.inner_text("table.attendance")
    assert "Barack Obama" in table
    assert "Joe Biden" in table
    assert "photo" in table

    with page.expect_download() as download:
        page.click("text=Download CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    present = {row["name"] for row in rows if row["status"] in ("present", "late")}
    assert {"Barack Obama", "Joe Biden"} <= present

    # A classroom video on the worker: the progress bar reaches 100 %.
    page.set_input_files("#id_video", str(VIDEO))
    page.click("button:has-text('Process the video')")
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+$"))
    shot(page, "job-progress")
    page.wait_for_function("document.querySelector('#job-progress').value === 100", timeout=300_000)
    page.wait_for_selector("h2:has-text('Present')")
    assert page.inner_text(".job-status") == "succeeded"
    assert "Lin-Manuel Miranda" in page.inner_text("main")
    shot(page, "job-done")

    page.goto(f"/sessions/{session_id}")
    assert "Lin-Manuel Miranda" in page.inner_text("table.attendance")
    shot(page, "session")
    page.goto(f"/sessions/{session_id}/engagement")
    assert page.locator("svg rect.seen").count() >= 1
    shot(page, "engagement")

    # The kiosk: the fake camera shows Obama, who is enrolled; liveness first, then his name.
    page.goto(f"/sessions/{session_id}/kiosk")
    assert page.locator("header.top").count() == 0  # nothing else reachable from the kiosk page
    page.click("button:has-text('Check in')")
    page.wait_for_selector(".outcome.success:has-text('Welcome, Barack Obama')")
    shot(page, "kiosk")

    _earlier_session_with_one_present(tenant)
    page.goto("/charts?group=7B")
    assert page.locator("svg circle.rate-point").count() == 2
    shot(page, "charts")

    page.goto("/keys")
    page.fill("#id_name", "kiosk app")
    page.click("button:has-text('Create a key')")
    key = page.inner_text("[data-testid=new-key]")
    assert len(key) > 20
    shot(page, "keys")
    page.reload()
    assert key not in page.content()  # shown once


def _create_session_in_page(page: object) -> int:
    start = timezone.localtime() - timedelta(minutes=5)
    page.goto("/sessions/new")
    page.fill("#id_course", "History")
    page.fill("#id_group", "7B")
    page.fill("#id_room", "B12")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.click("button:has-text('Create')")
    page.wait_for_url(re.compile(r"/sessions/\d+$"))
    return int(page.url.rsplit("/", 1)[-1])


def _earlier_session_with_one_present(tenant: Tenant) -> None:
    start = timezone.now() - timedelta(days=7)
    session = create_session(school=tenant.school, course="History", group="7B", starts_at=start,
                             ends_at=start + timedelta(hours=1))  # fmt: skip
    student = create_student(school=tenant.school, external_id="S9", name="Ada Lovelace", group="7B")
    correct_attendance(school=tenant.school, session=session, student=student,
                       status=AttendanceRecord.Status.PRESENT, actor="user:admin")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_teacher_is_refused_the_students_page(page_for: object) -> None:
    tenant = make_tenant()
    make_member(tenant.school, "teacher", Membership.Role.TEACHER)
    page = page_for("teacher")
    assert page.url.endswith("/sessions")
    assert page.locator("nav >> text=Students").count() == 0
    response = page.goto("/students")
    assert response.status == 403
    assert "Not allowed" in page.inner_text("h1")


@pytest.mark.django_db(transaction=True)
def test_a_user_of_school_a_cannot_open_a_session_of_school_b(page_for: object) -> None:
    school_a, school_b = make_tenant(), make_tenant()
    make_member(school_a.school, "a-admin", Membership.Role.ADMIN)
    start = timezone.now()
    session_b = create_session(school=school_b.school, course="Secret", starts_at=start,
                               ends_at=start + timedelta(hours=1))  # fmt: skip
    page = page_for("a-admin")
    response = page.goto(f"/sessions/{session_b.pk}")
    assert response.status == 404
    assert "Secret" not in page.content()
