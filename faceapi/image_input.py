"""Reading an image from a request: multipart ``<field>`` or JSON ``<field>_base64``."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from ml_models.errors import FileTooLarge
from ml_models.images import ImageLimits, RGBImage, decode_base64_image, decode_image
from ml_models.timing import Timings


def image_limits() -> ImageLimits:
    return ImageLimits(max_bytes=settings.FACEAPI_MAX_IMAGE_BYTES, max_pixels=settings.FACEAPI_MAX_IMAGE_PIXELS)


def image_from_request(request: Request, field: str = "image", timings: Timings | None = None) -> RGBImage:
    """The decoded image of ``field`` (timed as the ``decode`` stage); a missing field is a 400 naming it."""
    with (timings or Timings()).stage("decode"):
        return _decode_field(request, field)


def decode_upload(upload: UploadedFile) -> RGBImage:
    """An uploaded file decoded within the configured limits (its size checked before it is read)."""
    limits = image_limits()
    if upload.size > limits.max_bytes:
        raise FileTooLarge(size_bytes=upload.size, max_bytes=limits.max_bytes)
    return decode_image(upload.read(), limits=limits)


def _decode_field(request: Request, field: str) -> RGBImage:
    upload = request.FILES.get(field) if hasattr(request, "FILES") else None
    if upload is not None:
        return decode_upload(upload)
    limits = image_limits()
    encoded = request.data.get(f"{field}_base64")
    if isinstance(encoded, str) and encoded:
        return decode_base64_image(encoded, limits=limits)
    raise ValidationError({field: [f"Send the image as multipart field '{field}' or JSON '{field}_base64'."]})
