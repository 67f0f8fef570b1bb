"""Regenerate the "Endpoints" part of docs/API.md from a real run of the service.

Starts ``manage.py serve`` (gunicorn and a Celery worker) on SQLite and the filesystem broker in a temporary
FACEAPI_VAR_DIR, sends every example request with real photos, and writes each endpoint's description, parameters
(read from the live OpenAPI schema), curl and Python examples and the real response between the markers
``<!-- examples:start -->`` and ``<!-- examples:end -->``. Run it with ``make docs``.

To document a new endpoint, add one ``Endpoint`` to ``ENDPOINTS``.
"""

import base64
import json
import os
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import requests
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script, from docs/
from faceapi.live_service import running_service

PROJECT_ROOT = Path(__file__).resolve().parent.parent
API_MD = PROJECT_ROOT / "docs" / "API.md"
PHOTOS = Path(os.environ.get("FACEAPI_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")) / "photos"
START, END = "<!-- examples:start -->", "<!-- examples:end -->"
SHOWN_BASE = "http://127.0.0.1:8000"  # the address of `make run`, shown instead of the run's random port
LONG_LIST = 8  # number lists longer than this are cut to their first 4 values
WIDTH = 100  # of the code and JSON shown
REQUEST_TIMEOUT_S = 120
JOB_TIMEOUT_S = 180


@dataclass(frozen=True)
class Base64File:
    """A JSON value that is the base64 of a photo."""

    name: str


@dataclass
class Example:
    """One request and what to show of its response.

    ``{name}`` in the endpoint path is filled from values that earlier examples saved with ``save``
    (``{"job_id": "id"}`` keeps the response's ``id`` as ``job_id``); ``until`` polls until it holds.
    """

    title: str = ""
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)
    json: dict[str, Any] | None = None
    auth: bool = True
    status: int = 200
    headers: tuple[str, ...] = ()
    save: dict[str, str] = field(default_factory=dict)
    until: Callable[[dict[str, Any]], bool] | None = None
    note: str = ""


@dataclass
class Endpoint:
    method: str
    path: str  # as in the OpenAPI schema, e.g. /api/v1/jobs/{job_id}
    does: str
    examples: list[Example]
    heading: str = ""  # instead of "METHOD path", for a second look at an endpoint (an error case)

    @property
    def title(self) -> str:
        return self.heading or f"{self.method} {self.path}"


@dataclass
class Captured:
    example: Example
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: Any


def job_finished(body: dict[str, Any]) -> bool:
    return body["status"] in {"succeeded", "failed"}


FACE_CROP = "obama-480p-face.jpg"  # made by the run: obama-480p.jpg cut to its detected face box

ENDPOINTS = [
    Endpoint(
        "GET",
        "/healthz",
        "Liveness of the web process, the database and the broker; 200 when all are up, 503 naming what is down. "
        "No API key.",
        [Example(auth=False)],
    ),
    Endpoint(
        "GET",
        "/api/v1/school",
        "The caller's school, the key it used, and the `callback_secret` that signs its job callbacks.",
        [Example()],
    ),
    Endpoint(
        "GET",
        "/api/v1/models",
        "Every loaded model (name, version, weights sha256, input size) and the features `analyze` can run.",
        [Example()],
    ),
    Endpoint(
        "POST",
        "/api/v1/detect",
        "Faces with their box, detector confidence and 5 landmarks (image-left eye first).",
        [
            Example("multipart upload", files=[("image", "obama-480p.jpg")], form={"min_face_size": "40"}),
            Example(
                "the same image as JSON base64",
                json={"image_base64": Base64File("obama-480p.jpg")},
                note="Every image endpoint takes `<field>_base64` in a JSON body instead of the multipart file; "
                "a `data:image/jpeg;base64,…` URL works too.",
            ),
        ],
    ),
    Endpoint(
        "POST",
        "/api/v1/analyze",
        "Faces with every analysis head, or those named in `features`. With `detect=false` the whole image is one "
        "face that the client already cropped (no landmarks).",
        [
            Example("emotion of every face", files=[("image", "two_people.jpg")], form={"features": "emotion"}),
            Example(
                "a face the client cropped already",
                files=[("image", FACE_CROP)],
                form={"detect": "false", "features": "emotion"},
                note=f"`{FACE_CROP}` is `obama-480p.jpg` cut to the box that `detect` found.",
            ),
        ],
    ),
    Endpoint(
        "POST",
        "/api/v1/embed",
        "Faces with a unit-length 512-d FaceNet `embedding` and quality signals (size, sharpness, pose). "
        "An image without a face is `422 no_face`.",
        [Example(files=[("image", "obama.jpg")])],
    ),
    Endpoint(
        "POST",
        "/api/v1/verify",
        "Whether the largest faces of `image1` and `image2` are the same person: cosine similarity against the "
        "calibrated threshold (or `threshold`).",
        [
            Example("same person", files=[("image1", "obama.jpg"), ("image2", "obama2.jpg")]),
            Example("different people", files=[("image1", "obama.jpg"), ("image2", "biden.jpg")]),
        ],
    ),
    Endpoint(
        "POST",
        "/api/v1/analysis-jobs",
        "Analyse many images on the worker: repeat the multipart field `images` (zip files of images are "
        "expanded). Answers `202` with the job and its URL in `Location`; poll it, or pass `callback_url`.",
        [
            Example(
                files=[("images", "obama-480p.jpg"), ("images", "noface_rocket.jpg")],
                form={"features": "emotion"},
                status=202,
                headers=("Location",),
                save={"job_id": "id"},
            )
        ],
    ),
    Endpoint(
        "GET",
        "/api/v1/jobs/{job_id}",
        "Any job of the school: status (`queued`, `running`, `succeeded`, `failed`), progress 0–100, then the "
        "result or a stable error code. A job of another school is `404`.",
        [
            Example(
                "once finished",
                until=job_finished,
                note="Poll until `status` is `succeeded` or `failed`. Each image has its own `status`: an image "
                "without a face is `ok` with no faces, an unreadable one is `error` with a code, and neither fails "
                "the job.",
            )
        ],
    ),
    Endpoint(
        "POST",
        "/api/v1/students",
        "Add a student: the school's own `external_id` (unique in the school), `name`, `group` (class).",
        [
            Example(
                json={"external_id": "S-1001", "name": "Barack Obama", "group": "7B"},
                status=201,
                save={"obama_id": "id"},
            ),
            Example(
                "a second student",
                json={"external_id": "S-1002", "name": "Joe Biden", "group": "7B"},
                status=201,
                save={"biden_id": "id"},
            ),
        ],
    ),
    Endpoint(
        "GET",
        "/api/v1/students",
        "The school's students, paged (`limit`, `offset`), filtered by `search` (name or external id) and `group`.",
        [Example(query={"group": "7B"})],
    ),
    Endpoint(
        "POST",
        "/api/v1/students/{obama_id}/faces",
        "Enrol one face of the student. Refused: `409 duplicate_face` when the face is already another student's, "
        "`422 low_quality_face` (with `details.reason`: too_small, blurred, profile), `422 many_faces`, "
        "`422 no_face`, `409 face_limit_reached`. Only the embedding and a 96×96 thumbnail are kept.",
        [Example(files=[("image", "obama.jpg")], status=201)],
    ),
    Endpoint(
        "POST",
        "/api/v1/students/{biden_id}/faces",
        "The same face under another student is refused, naming the student it belongs to.",
        [Example(files=[("image", "obama2.jpg")], status=409)],
        heading="Error: duplicate face",
    ),
    Endpoint(
        "POST",
        "/api/v1/identify",
        "Every face of the image with its best matching students (`candidates`), or `student: null` when nobody "
        "of the school is similar enough.",
        [Example(files=[("image", "obama2.jpg")])],
    ),
    Endpoint(
        "POST",
        "/api/v1/sessions",
        "A class session: `course`, `room`, `group`, `starts_at`, `ends_at` (ISO 8601).",
        [
            Example(
                json={
                    "course": "Civics",
                    "room": "B12",
                    "group": "7B",
                    "starts_at": "2026-11-26T09:00:00Z",
                    "ends_at": "2026-11-26T10:00:00Z",
                },
                status=201,
                save={"session_id": "id"},
            )
        ],
    ),
    Endpoint(
        "POST",
        "/api/v1/sessions/{session_id}/photos",
        "Mark present every enrolled student recognised in a (group) photo; faces of nobody enrolled come back "
        "under `unknown` with their boxes.",
        [Example(files=[("image", "two_people.jpg")])],
    ),
    Endpoint(
        "POST",
        "/api/v1/sessions/{session_id}/check-in",
        "A kiosk or webcam check-in: exactly one face; liveness first (`422 spoof_detected`), then identify and "
        "mark (`422 not_recognised` for a stranger). After the grace period the status is `late`.",
        [Example(files=[("image", "obama2.jpg")])],
    ),
    Endpoint(
        "PATCH",
        "/api/v1/sessions/{session_id}/attendance/{biden_id}",
        "A teacher's correction (`present`, `late`, `absent`, `excused`); it is audited and recognition never "
        "overrules it.",
        [Example(json={"status": "excused"})],
    ),
    Endpoint(
        "GET",
        "/api/v1/sessions/{session_id}/attendance",
        "Who was present: status, first seen, confidence, source (photo, check-in, video, manual) and the "
        "evidence thumbnail's URL.",
        [Example()],
    ),
    Endpoint(
        "GET",
        "/api/v1/sessions/{session_id}/attendance.csv",
        "The same as CSV for a spreadsheet (`Content-Disposition: attachment`).",
        [Example(headers=("Content-Disposition",))],
    ),
    Endpoint(
        "POST",
        "/api/v1/sessions/{session_id}/videos",
        "Attendance from a classroom video on the worker (MP4, MOV, AVI, WebM): frames sampled at `sample_fps`, "
        "faces tracked, each track identified by a vote over its frames. `202` with the job.",
        [
            Example(
                files=[("video", "short_hamilton_clip.mp4")],
                status=202,
                headers=("Location",),
                save={"video_job_id": "id"},
            )
        ],
    ),
    Endpoint(
        "GET",
        "/api/v1/sessions/{session_id}/videos/{video_job_id}",
        "The video job: progress 0–100, then who was present (first seen, confidence), every track and the "
        "per-stage timings. Each present student's record gets an engagement timeline.",
        [Example("once finished", until=job_finished)],
    ),
    Endpoint(
        "GET",
        "/api/v1/audit",
        "The audit log: enrolments, deletions, corrections, API keys created and revoked, who and when "
        "(newest first, paged).",
        [Example()],
    ),
    Endpoint(
        "DELETE",
        "/api/v1/students/{biden_id}",
        "Delete a student: every embedding, thumbnail and attendance evidence of them is erased.",
        [Example(status=204)],
    ),
    Endpoint(
        "POST",
        "/api/v1/verify",
        "An image without a face is `422 no_face`; `details.image` names which one.",
        [Example(files=[("image1", "obama.jpg"), ("image2", "noface_rocket.jpg")], status=422)],
        heading="Error: no face",
    ),
    Endpoint(
        "GET",
        "/api/v1/school",
        "A request without a valid API key is `401`.",
        [Example(auth=False, status=401, headers=("WWW-Authenticate",))],
        heading="Error: no API key",
    ),
    Endpoint(
        "POST",
        "/api/v1/analysis-jobs",
        "A `callback_url` on a private, loopback or reserved address is refused (see Callbacks).",
        [
            Example(
                files=[("images", "obama.jpg")],
                form={"callback_url": "http://127.0.0.1:9000/hook"},
                status=400,
            )
        ],
        heading="Error: callback URL refused",
    ),
]


# --- sending the examples ---
def photo_path(name: str, workdir: Path) -> Path:
    """A file made by the run, a shared video, or a shared photo."""
    for candidate in (workdir / name, PHOTOS.parent / "videos" / name):
        if candidate.exists():
            return candidate
    return PHOTOS / name


def post_photo(base: str, api_key: str, path: str, photo: str) -> dict[str, Any]:
    response = requests.post(
        base + path,
        headers=auth_header(api_key),
        files={"image": (photo, (PHOTOS / photo).read_bytes())},
        timeout=REQUEST_TIMEOUT_S,
    )
    response.raise_for_status()
    return response.json()


def warm_up(base: str, api_key: str) -> None:
    """The web process loads each model at its first use, and TensorFlow traces each network once more for its
    second batch size: pay both here (one face, then two), so that the timings shown are those of a warm server."""
    for path in ("/api/v1/analyze", "/api/v1/embed"):
        for photo in ("obama.jpg", "two_people.jpg"):
            post_photo(base, api_key, path, photo)


def make_face_crop(base: str, api_key: str, workdir: Path) -> None:
    box = post_photo(base, api_key, "/api/v1/detect", "obama-480p.jpg")["faces"][0]["box"]
    with Image.open(PHOTOS / "obama-480p.jpg") as image:
        image.crop((box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"])).save(workdir / FACE_CROP)


def auth_header(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Api-Key {api_key}"}


def json_with_files(value: Any, workdir: Path) -> Any:
    if isinstance(value, Base64File):
        return base64.b64encode(photo_path(value.name, workdir).read_bytes()).decode()
    if isinstance(value, dict):
        return {key: json_with_files(item, workdir) for key, item in value.items()}
    return value


def send(base: str, api_key: str, method: str, path: str, example: Example, workdir: Path) -> requests.Response:
    files = [(name, (photo, photo_path(photo, workdir).read_bytes())) for name, photo in example.files]
    return requests.request(
        method,
        base + path,
        headers=auth_header(api_key) if example.auth else {},
        params=example.query or None,
        data=example.form or None,
        files=files or None,
        json=json_with_files(example.json, workdir) if example.json is not None else None,
        timeout=REQUEST_TIMEOUT_S,
    )


def run_example(
    base: str, api_key: str, endpoint: Endpoint, example: Example, saved: dict[str, str], workdir: Path
) -> Captured:
    path = endpoint.path.format(**saved)
    deadline = time.monotonic() + JOB_TIMEOUT_S
    response = send(base, api_key, endpoint.method, path, example, workdir)
    while example.until and not example.until(response.json()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{endpoint.method} {path}: still not done after {JOB_TIMEOUT_S} s")
        time.sleep(1)
        response = send(base, api_key, endpoint.method, path, example, workdir)
    if response.status_code != example.status:
        raise RuntimeError(f"{endpoint.method} {path}: expected {example.status}, got {response.status_code}: "
                           f"{response.text[:500]}")  # fmt: skip
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    body = (response.json() if is_json else response.text) if response.content else None
    saved.update({name: str(body[key]) for name, key in example.save.items()})
    headers = {name: response.headers[name] for name in example.headers}
    return Captured(example, endpoint.method, path, response.status_code, headers, body)


def run_all(base: str, api_key: str, workdir: Path) -> list[tuple[Endpoint, list[Captured]]]:
    warm_up(base, api_key)
    make_face_crop(base, api_key, workdir)
    saved: dict[str, str] = {}
    return [
        (endpoint, [run_example(base, api_key, endpoint, example, saved, workdir) for example in endpoint.examples])
        for endpoint in ENDPOINTS
    ]


def openapi_schema(base: str) -> dict[str, Any]:
    response = requests.get(f"{base}/api/schema", params={"format": "json"}, timeout=REQUEST_TIMEOUT_S)
    response.raise_for_status()
    return response.json()


# --- rendering ---
def shorten(value: Any) -> Any:
    """Long number lists cut to their first 4 values and "…"."""
    if isinstance(value, list):
        if len(value) > LONG_LIST and all(isinstance(item, int | float) for item in value):
            return [*value[:4], "…"]
        return [shorten(item) for item in value]
    if isinstance(value, dict):
        return {key: shorten(item) for key, item in value.items()}
    return value


def compact(value: Any, indent: int = 0, prefix: int = 0) -> str:
    """JSON broken over lines only where one line would be wider than WIDTH (a point or a box stays on one line);
    ``prefix`` is the width of what precedes the value on its line, after the indentation."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or indent + prefix + len(flat) <= WIDTH:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(key)}: {compact(item, indent + 2, len(key) + 4)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{' ' * indent}}}"
    items = [f"{pad}{compact(item, indent + 2)}" for item in value]
    return "[\n" + ",\n".join(items) + f"\n{' ' * indent}]"


def pretty(body: Any, base: str) -> str:
    return compact(shorten(body)).replace(base, SHOWN_BASE)


def schema_type(prop: dict[str, Any]) -> str:
    if "oneOf" in prop:  # e.g. a URLField that may be blank: a uri, or an empty string
        return schema_type(prop["oneOf"][0])
    if prop.get("format") == "binary":
        return "file"
    if prop.get("type") == "array":
        return f"list of {schema_type(prop.get('items', {}))}"
    if "enum" in prop:
        return " \\| ".join(f"`{choice}`" for choice in prop["enum"])
    return prop.get("format", prop.get("type", "object"))


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The component that ``node`` refers to, or ``node`` itself."""
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def parameter_rows(schema: dict[str, Any], endpoint: Endpoint) -> list[tuple[str, str, str, str]]:
    """(name, where, type, description) of the path and query parameters and of the multipart (or JSON) body."""
    operation = schema["paths"].get(endpoint.path, {}).get(endpoint.method.lower(), {})
    rows = [
        (param["name"], param["in"], schema_type(param.get("schema", {})), param.get("description", ""))
        for param in operation.get("parameters", [])
    ]
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("multipart/form-data") or content.get("application/json")
    if body:
        fields = resolve(schema, body["schema"])
        required = set(fields.get("required", []))
        for name, prop in fields.get("properties", {}).items():
            description = prop.get("description", "")
            if "default" in prop:
                description = f"{description} Default `{json.dumps(prop['default'])}`.".strip()
            where = "body, required" if name in required else "body"
            rows.append((name, where, schema_type(prop), description))
    return rows


def parameters_table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    if not rows:
        return ["Parameters: none."]
    table = ["| parameter | in | type | description |", "|---|---|---|---|"]
    return table + [f"| `{name}` | {where} | {kind} | {text} |" for name, where, kind, text in rows]


def curl_json(body: dict[str, Any]) -> str:
    """The body as one shell word; Base64File values become ``$(base64 -w0 <file>)``."""
    placeholders: list[str] = []

    def placeholder(value: Any) -> str:
        placeholders.append(value.name)
        return f"@@{len(placeholders) - 1}@@"

    text = json.dumps(body, default=placeholder)
    if not placeholders:
        return shlex.quote(text)
    escaped = re.sub(r'(["\\$`])', r"\\\1", text)
    return '"' + re.sub(r"@@(\d+)@@", lambda m: f"$(base64 -w0 {placeholders[int(m[1])]})", escaped) + '"'


def curl(method: str, path: str, example: Example) -> str:
    url = f'"$FACEAPI{path}' + (f"?{'&'.join(f'{k}={v}' for k, v in example.query.items())}" if example.query else "")
    lines = [f'curl -s{"" if method in {"GET", "POST"} else f" -X {method}"} {url}"']
    if example.auth:
        lines.append('-H "Authorization: Api-Key $FACEAPI_KEY"')
    lines += [f"-F {name}=@{photo}" for name, photo in example.files]
    lines += [f"-F {shlex.quote(f'{name}={value}')}" for name, value in example.form.items()]
    if example.json is not None:
        lines += ['-H "Content-Type: application/json"', f"-d {curl_json(example.json)}"]
    if method == "GET" and len(lines) == 1:
        return lines[0]
    return " \\\n  ".join(lines)


def python_value(value: Any) -> str:
    if isinstance(value, Base64File):
        return f'base64.b64encode(open("{value.name}", "rb").read()).decode()'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {python_value(item)}" for key, item in value.items()) + "}"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def python_files(files: list[tuple[str, str]]) -> str:
    opened = [(name, f'open("{photo}", "rb")') for name, photo in files]
    if len({name for name, _ in files}) == len(files):
        return "{" + ", ".join(f'"{name}": {handle}' for name, handle in opened) + "}"
    return "[" + ", ".join(f'("{name}", {handle})' for name, handle in opened) + "]"


def python(method: str, path: str, example: Example) -> str:
    arguments = [f'f"{{FACEAPI}}{path}"']
    if example.auth:
        arguments.append("headers=HEADERS")
    if example.query:
        arguments.append(f"params={python_value(example.query)}")
    if example.files:
        arguments.append(f"files={python_files(example.files)}")
    if example.form:
        arguments.append(f"data={python_value(example.form)}")
    if example.json is not None:
        arguments.append(f"json={python_value(example.json)}")
    imports = "import base64\n\n" if "base64." in "".join(arguments) else ""
    call = f"requests.{method.lower()}({', '.join(arguments)})"
    if len(call) + len("response = ") > WIDTH:
        call = f"requests.{method.lower()}(\n" + "".join(f"    {argument},\n" for argument in arguments) + ")"
    shown = "response.status_code" + ("" if example.status == HTTPStatus.NO_CONTENT else ", response.json()")
    return f"{imports}response = {call}\nprint({shown})"


def response_block(captured: Captured, base: str) -> list[str]:
    status = f"{captured.status} {HTTPStatus(captured.status).phrase}"
    headers = "".join(f" · `{name}: {value.replace(base, SHOWN_BASE)}`" for name, value in captured.headers.items())
    if captured.body is None:
        return [f"Response `{status}`{headers}, no body."]
    if isinstance(captured.body, str):  # CSV and other text downloads
        return [f"Response `{status}`{headers}:", "", "```text", captured.body.strip(), "```"]
    return [f"Response `{status}`{headers}:", "", "```json", pretty(captured.body, base), "```"]


def example_section(captured: Captured, base: str) -> list[str]:
    example = captured.example
    lines = [f"#### {example.title[0].upper()}{example.title[1:]}", ""] if example.title else []
    lines += ["```sh", curl(captured.method, captured.path, example), "```", ""]
    lines += ["```python", python(captured.method, captured.path, example), "```", ""]
    lines += [*response_block(captured, base), ""]
    return lines + ([example.note, ""] if example.note else [])


def endpoint_section(endpoint: Endpoint, captures: list[Captured], schema: dict[str, Any], base: str) -> list[str]:
    lines = [f"### {endpoint.title}", ""]
    if endpoint.heading:
        lines += [f"`{endpoint.method} {endpoint.path}`: {endpoint.does}", ""]
    else:
        lines += [endpoint.does, "", *parameters_table(parameter_rows(schema, endpoint)), ""]
    for captured in captures:
        lines += example_section(captured, base)
    return lines


def anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9 _-]", "", title.lower()).replace(" ", "-")


INTRO = """\
## Endpoints

<!-- Written by docs/generate_api_examples.py (`make docs`) from a real run; edit that script, not this part. -->

Every example below was run against a fresh `make run` service with the photos of `shared/data/photos/`; the
responses are the real ones, except that number lists longer than 8 (the 512-float `embedding`) are cut to their
first 4 values followed by `"…"`. The shell examples expect two variables, and the Python ones the two lines below:

```sh
export FACEAPI=http://127.0.0.1:8000 FACEAPI_KEY=fk_…   # from: manage.py create_school "<name>"
```

```python
import requests

FACEAPI = "http://127.0.0.1:8000"
HEADERS = {"Authorization": "Api-Key fk_…"}
```
"""


def render(results: list[tuple[Endpoint, list[Captured]]], schema: dict[str, Any], base: str) -> str:
    contents = [f"- [{endpoint.title}](#{anchor(endpoint.title)}): {endpoint.does}" for endpoint, _ in results]
    lines = [INTRO, *contents, ""]
    for endpoint, captures in results:
        lines += endpoint_section(endpoint, captures, schema, base)
    return "\n".join(lines).rstrip() + "\n"


def rewrite(document: str, generated: str) -> str:
    head, start, rest = document.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise RuntimeError(f"{API_MD} needs the markers {START} and {END}")
    return f"{head}{START}\n{generated}{END}{tail}"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="faceapi-docs-") as tmp:
        workdir = Path(tmp)
        with running_service(workdir / "var") as (base, api_key):
            results = run_all(base, api_key, workdir)
            schema = openapi_schema(base)
    API_MD.write_text(rewrite(API_MD.read_text(), render(results, schema, base)))
    print(f"wrote {API_MD.relative_to(PROJECT_ROOT)}: {sum(len(c) for _, c in results)} examples")


if __name__ == "__main__":
    main()
