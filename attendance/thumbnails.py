import io

from PIL import Image

from ml_models.images import RGBImage

THUMBNAIL_SIZE = 96


def jpeg_thumbnail(face_crop: RGBImage, size: int = THUMBNAIL_SIZE) -> bytes:
    """A small JPEG of a face crop: what the school sees of an enrolment or of attendance evidence."""
    buffer = io.BytesIO()
    Image.fromarray(face_crop).resize((size, size), Image.Resampling.LANCZOS).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
