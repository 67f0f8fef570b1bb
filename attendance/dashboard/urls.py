from django.contrib.auth import views as auth_views
from django.urls import path

from attendance.dashboard.views import auth, charts, jobs, keys, kiosk, sessions, students

app_name = "dashboard"

urlpatterns = [
    path("", auth.home, name="home"),
    path("login", auth.LoginView.as_view(), name="login"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("switch-school", auth.switch_school, name="switch-school"),
    path("students", students.student_list, name="students"),
    path("students/new", students.student_create, name="student-create"),
    path("students/<int:student_id>", students.student_detail, name="student"),
    path("students/<int:student_id>/edit", students.student_edit, name="student-edit"),
    path("students/<int:student_id>/delete", students.student_delete, name="student-delete"),
    path("students/<int:student_id>/faces", students.enrol_face, name="student-enrol"),
    path("students/<int:student_id>/faces/<int:face_id>.jpg", students.face_thumbnail, name="face-thumbnail"),
    path("students/<int:student_id>/faces/<int:face_id>/delete", students.face_delete, name="face-delete"),
    path("sessions", sessions.session_list, name="sessions"),
    path("sessions/new", sessions.session_create, name="session-create"),
    path("sessions/<int:session_id>", sessions.session_detail, name="session"),
    path("sessions/<int:session_id>/photo", sessions.session_photo, name="session-photo"),
    path("sessions/<int:session_id>/video", sessions.session_video, name="session-video"),
    path("sessions/<int:session_id>/attendance.csv", sessions.session_csv, name="session-csv"),
    path(
        "sessions/<int:session_id>/attendance/<int:student_id>",
        sessions.correct_attendance,
        name="attendance-correct",
    ),
    path("sessions/<int:session_id>/evidence/<int:student_id>.jpg", sessions.evidence, name="evidence"),
    path("sessions/<int:session_id>/engagement", sessions.engagement, name="engagement"),
    path("sessions/<int:session_id>/kiosk", kiosk.kiosk, name="kiosk"),
    path("sessions/<int:session_id>/kiosk/check-in", kiosk.kiosk_check_in, name="kiosk-check-in"),
    path("jobs", jobs.job_list, name="jobs"),
    path("jobs/<uuid:job_id>", jobs.job_detail, name="job"),
    path("jobs/<uuid:job_id>/status", jobs.job_status, name="job-status"),
    path("charts", charts.attendance_charts, name="charts"),
    path("keys", keys.key_list, name="keys"),
    path("keys/<int:key_id>/revoke", keys.key_revoke, name="key-revoke"),
]
