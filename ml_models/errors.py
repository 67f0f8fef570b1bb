"""Errors of the inference engine. Each has a stable ``code``; the web layer maps them to HTTP statuses."""

from typing import Any


class FaceApiInputError(Exception):
    """Bad input that the caller can fix; never a bug of ours."""

    code = "invalid_input"
    default_message = "The input could not be used."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class EmptyFile(FaceApiInputError):
    code = "empty_file"
    default_message = "The uploaded file is empty."


class InvalidImage(FaceApiInputError):
    code = "invalid_image"
    default_message = "The file is not a readable image (corrupt or truncated)."


class UnsupportedMediaType(FaceApiInputError):
    code = "unsupported_media_type"
    default_message = "This type of file is not supported."


class FileTooLarge(FaceApiInputError):
    code = "file_too_large"
    default_message = "The file is larger than the allowed size."


class ImageTooLarge(FaceApiInputError):
    code = "image_too_large"
    default_message = "The image has more pixels than allowed."


class InvalidVideo(FaceApiInputError):
    code = "invalid_video"
    default_message = "The file is not a readable video."


class NoFace(FaceApiInputError):
    code = "no_face"
    default_message = "No face was found in the image."


class ManyFaces(FaceApiInputError):
    code = "many_faces"
    default_message = "More than one face was found where exactly one is required."
