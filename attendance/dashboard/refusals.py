"""The API's stable error codes, said in words a school admin or a student at the kiosk understands."""

from attendance import selectors
from attendance.models import School
from faceapi.errors import ApiError
from ml_models.errors import FaceApiInputError

# What a page turns into words for the person in front of it; any other exception is a bug (a 500, logged).
REFUSALS = (ApiError, FaceApiInputError)

QUALITY_REASONS = {
    "too_small": "The face is too small in the photo. Come closer to the camera or crop the photo around the face.",
    "blurred": "The photo is blurred. Hold the camera still and make sure the face is in focus.",
    "profile": "The face is turned away. Look straight at the camera.",
}

MESSAGES = {
    "no_face": "No face was found in the photo. Use a well-lit photo where the face looks at the camera.",
    "many_faces": "There is more than one face in the picture: one person at a time, please.",
    "face_limit_reached": "This student already has the maximum number of enrolled faces. Delete one first.",
    "spoof_detected": "This looks like a photo or a screen, not a live person. Please look at the camera yourself.",
    "not_recognised": "We could not recognise you. Please ask your teacher to check your enrolment.",
    "unsupported_media_type": "This file is not a picture we can read. Use a JPEG, PNG or WebP photo.",
    "invalid_image": "This picture file is damaged and cannot be read.",
    "empty_file": "The file is empty.",
    "file_too_large": "The file is too large.",
    "image_too_large": "The picture has too many pixels. Use a smaller photo.",
    "invalid_video": "This file is not a video we can read. Use an MP4, AVI, MOV or WebM video.",
    "duplicate_external_id": "Another student of the school already has this id.",
    "invalid_session_times": "The session must end after it starts.",
}


def explain(error: ApiError | FaceApiInputError, *, school: School) -> str:
    """One sentence for the person in front of the page."""
    if error.code == "duplicate_face":
        other = selectors.students(school=school).filter(pk=error.details.get("student_id")).first()
        name = f" ({other.name})" if other else ""
        return f"This face is already enrolled for another student{name}. One face can belong to one student only."
    if error.code == "low_quality_face":
        return QUALITY_REASONS.get(error.details.get("reason", ""), "The face is not clear enough to enrol.")
    return MESSAGES.get(error.code, error.message)
