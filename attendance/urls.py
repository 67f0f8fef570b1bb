from django.urls import path

from attendance import views

urlpatterns = [
    path("school", views.CurrentSchoolView.as_view(), name="current-school"),
    path("students", views.StudentsView.as_view(), name="students"),
    path("students/<int:student_id>", views.StudentDetailView.as_view(), name="student-detail"),
    path("students/<int:student_id>/faces", views.StudentFacesView.as_view(), name="student-faces"),
    path("students/<int:student_id>/faces/<int:face_id>", views.StudentFaceDetailView.as_view(), name="student-face"),
    path(
        "students/<int:student_id>/faces/<int:face_id>/thumbnail",
        views.StudentFaceThumbnailView.as_view(),
        name="student-face-thumbnail",
    ),
    path("identify", views.IdentifyView.as_view(), name="identify"),
    path("sessions", views.SessionsView.as_view(), name="sessions"),
    path("sessions/<int:session_id>", views.SessionDetailView.as_view(), name="session-detail"),
    path("sessions/<int:session_id>/photos", views.SessionPhotoView.as_view(), name="session-photos"),
    path("sessions/<int:session_id>/check-in", views.SessionCheckInView.as_view(), name="session-check-in"),
    path("sessions/<int:session_id>/attendance", views.SessionAttendanceView.as_view(), name="session-attendance"),
    path(
        "sessions/<int:session_id>/attendance.csv",
        views.SessionAttendanceView.as_view(),
        {"as_csv": True},
        name="session-attendance-csv",
    ),
    path(
        "sessions/<int:session_id>/attendance/<int:student_id>",
        views.AttendanceRecordView.as_view(),
        name="attendance-record",
    ),
    path(
        "sessions/<int:session_id>/attendance/<int:student_id>/evidence",
        views.AttendanceEvidenceView.as_view(),
        name="attendance-evidence",
    ),
    path("sessions/<int:session_id>/videos", views.SessionVideosView.as_view(), name="session-videos"),
    path(
        "sessions/<int:session_id>/videos/<uuid:job_id>", views.SessionVideoDetailView.as_view(), name="session-video"
    ),
    path("audit", views.AuditView.as_view(), name="audit"),
]
