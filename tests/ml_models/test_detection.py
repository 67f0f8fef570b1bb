import csv

import numpy as np
import pytest

from ml_models import registry
from ml_models.detection import _rotated
from ml_models.faces import LANDMARK_NAMES
from tests.conftest import PHOTOS

# Real faces the manifest does not count (checked by eye): a child at the lower right of this photo.
UNCOUNTED_REAL_FACES = {"knn_examples/test/obama_and_biden.jpg": 1}


def expected_counts() -> list[tuple[str, int]]:
    with (PHOTOS / "manifest.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    return [
        (row["file"], int(row["faces_expected"]) + UNCOUNTED_REAL_FACES.get(row["file"], 0))
        for row in rows
        if row["faces_expected"].isdigit()
    ]


@pytest.fixture(scope="module")
def detector():
    return registry.detector()


def test_two_people_gives_two_faces_largest_first(detector, photo):
    faces = detector.detect(photo("two_people.jpg"))
    assert len(faces) == 2
    assert faces[0].box.area >= faces[1].box.area
    assert all(face.confidence > 0.95 for face in faces)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "count"), expected_counts())
def test_every_manifest_photo_has_its_face_count(detector, photo, name, count):
    assert len(detector.detect(photo(name))) == count


def test_photos_without_faces_give_none(detector, photo):
    assert detector.detect(photo("noface_rocket.jpg")) == []
    assert detector.detect(photo("noface_coffee.png")) == []


def test_a_class_photo_of_many_small_faces(detector, photo):
    faces = detector.detect(photo("group_retinaface_img3.jpg"))
    assert len(faces) >= 30
    assert min(face.box.height for face in faces) < 40  # small faces are found too


def test_landmarks_fall_inside_their_box_in_order(detector, photo):
    for name in ("obama.jpg", "biden.jpg", "two_people.jpg", "group_insightface_t1.jpg"):
        for face in detector.detect(photo(name)):
            box = face.box
            assert list(face.landmarks) == list(LANDMARK_NAMES)
            for x, y in face.landmarks.values():
                assert box.x <= x <= box.x2
                assert box.y <= y <= box.y2
            assert face.landmarks["left_eye"][0] < face.landmarks["right_eye"][0]
            assert face.landmarks["mouth_left"][0] < face.landmarks["mouth_right"][0]
            eyes_y = max(face.landmarks["left_eye"][1], face.landmarks["right_eye"][1])
            assert (
                eyes_y
                < face.landmarks["nose"][1]
                < min(face.landmarks["mouth_left"][1], face.landmarks["mouth_right"][1])
            )


def test_boxes_are_clipped_to_the_image(detector, photo):
    image = photo("obama.jpg")
    cut = image[:, : image.shape[1] // 2 + 30]  # the face runs off the right edge
    for face in detector.detect(cut):
        assert face.box.x >= 0
        assert face.box.y >= 0
        assert face.box.x2 <= cut.shape[1]
        assert face.box.y2 <= cut.shape[0]


def test_min_face_size_drops_small_faces_and_keeps_big_ones(detector, photo):
    image = photo("group_retinaface_img3.jpg")
    everything = detector.detect(image)
    big_only = detector.detect(image, min_face_size=60)
    assert 0 < len(big_only) < len(everything)
    assert detector.detect(photo("obama-480p.jpg"), min_face_size=80)  # a 100-px face at a large minimum


def test_batch_gives_the_same_faces_as_one_by_one(detector, photo):
    images = [photo("obama-480p.jpg"), photo("two_people.jpg"), photo("obama-480p.jpg")]
    batched = detector.detect_batch(images)
    assert [len(faces) for faces in batched] == [1, 2, 1]
    single = detector.detect(images[1])
    assert [f.box for f in batched[1]] == [f.box for f in single]


def test_tiny_images_have_no_faces_and_no_error(detector):
    assert detector.detect(np.zeros((8, 8, 3), np.uint8)) == []


@pytest.mark.parametrize("angle", [-30.0, 30.0])
def test_a_face_found_in_a_turned_view_maps_back_onto_the_original(detector, photo, angle):
    image = photo("obama.jpg")
    scale = 0.5
    small = image[::2, ::2]
    view, to_view = _rotated(small, angle, scale)
    points = {name: (400.0 + 20 * i, 300.0 + 10 * i) for i, name in enumerate(LANDMARK_NAMES)}
    in_view = {name: tuple(to_view @ (x, y, 1.0)) for name, (x, y) in points.items()}
    for name, (x, y) in points.items():  # the map is the warp: the same pixel on both sides
        vx, vy = in_view[name]
        np.testing.assert_allclose(view[round(vy), round(vx)], small[round(y * scale), round(x * scale)], atol=40)
    xs, ys = zip(*in_view.values(), strict=True)
    detection = {
        "box": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
        "confidence": 0.99,
        "keypoints": in_view,
    }
    [face] = detector._to_faces([detection], image.shape, to_view, 0.9)
    box = face.box
    for name, (x, y) in points.items():
        np.testing.assert_allclose(face.landmarks[name], (x, y), atol=1e-6)
        assert box.x <= x <= box.x2  # the upright box around the turned one holds every point
        assert box.y <= y <= box.y2
