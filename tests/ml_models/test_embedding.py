import numpy as np
import pytest

from ml_models import registry
from ml_models.crops import CROP_SIZE, aligned_crop, margin_crop
from ml_models.matching import VERIFY_THRESHOLD, cosine_similarity
from ml_models.pipeline import detect_and_embed


@pytest.fixture(scope="module")
def embedded(photo):
    return {name: detect_and_embed(photo(name)) for name in ("obama.jpg", "obama2.jpg", "biden.jpg", "two_people.jpg")}


def test_embeddings_are_unit_512_float32(embedded):
    for faces in embedded.values():
        for face in faces:
            assert face.embedding.shape == (512,)
            assert face.embedding.dtype == np.float32
            assert abs(np.linalg.norm(face.embedding) - 1) < 1e-5


def test_obama_verifies_with_obama_and_not_with_biden(embedded):
    obama = embedded["obama.jpg"][0].embedding
    assert cosine_similarity(obama, embedded["obama2.jpg"][0].embedding) >= VERIFY_THRESHOLD
    assert cosine_similarity(obama, embedded["biden.jpg"][0].embedding) < VERIFY_THRESHOLD


def test_each_person_of_a_group_matches_their_own_portrait(embedded):
    people = embedded["two_people.jpg"]
    biden = embedded["biden.jpg"][0].embedding
    similarities = [cosine_similarity(face.embedding, biden) for face in people]
    assert max(similarities) >= VERIFY_THRESHOLD
    assert min(similarities) < VERIFY_THRESHOLD


def test_crops_are_160_square_with_the_eyes_where_expected(photo):
    image = photo("obama.jpg")
    face = registry.detector().detect(image)[0]
    crop = margin_crop(image, face)
    assert crop.shape == (CROP_SIZE, CROP_SIZE, 3)
    assert crop.dtype == np.uint8
    warped = aligned_crop(image, face)
    assert warped.shape == (CROP_SIZE, CROP_SIZE, 3)
    # In the 5-point warp the eyes land on the template: level, in the upper half, either side of the centre.
    eyes = registry.detector().detect(warped)[0].landmarks
    left, right = np.array(eyes["left_eye"]), np.array(eyes["right_eye"])
    assert abs(left[1] - right[1]) < 6
    assert left[0] < CROP_SIZE / 2 < right[0]
    assert 0.25 * CROP_SIZE < left[1] < 0.5 * CROP_SIZE


def test_quality_signals(embedded, photo):
    quality = embedded["obama.jpg"][0].quality
    assert quality.size_px > 150
    assert abs(quality.yaw) < 0.4
    assert quality.sharpness > 20
    blurred = detect_and_embed(np.asarray(_blur(photo("obama.jpg"))))
    assert blurred[0].quality.sharpness < quality.sharpness / 2


def _blur(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(image, (0, 0), 6)


def test_empty_batch_embeds_to_nothing():
    assert registry.embedder().embed(np.zeros((0, CROP_SIZE, CROP_SIZE, 3), np.uint8)).shape == (0, 512)


def test_wrong_crop_size_is_refused():
    with pytest.raises(ValueError, match="crops"):
        registry.embedder().embed(np.zeros((1, 100, 100, 3), np.uint8))
