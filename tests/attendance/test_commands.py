import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from attendance.models import ApiKey, School

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_school_prints_one_json_line_with_a_working_key(client):
    output = run("create_school", "Lincoln High")
    assert output.count("\n") <= 1
    line = json.loads(output)
    assert set(line) == {"school", "api_key"}
    assert line["school"] == "lincoln-high"
    response = client.get("/api/v1/school", HTTP_AUTHORIZATION=f"Api-Key {line['api_key']}")
    assert response.status_code == 200
    assert response.json()["slug"] == "lincoln-high"


def test_same_name_gets_a_distinct_slug():
    first = json.loads(run("create_school", "Oak School"))
    second = json.loads(run("create_school", "Oak School"))
    assert first["school"] != second["school"]
    assert School.objects.count() == 2


def test_create_api_key_adds_a_key_in_the_same_shape():
    school = json.loads(run("create_school", "Elm School"))["school"]
    line = json.loads(run("create_api_key", school, "--name", "kiosk"))
    assert line["school"] == school
    assert ApiKey.objects.for_school(School.objects.get(slug=school)).count() == 2


def test_create_api_key_for_an_unknown_school_fails_clearly():
    with pytest.raises(CommandError, match="No school"):
        run("create_api_key", "no-such-school")


def test_a_nameless_school_is_refused():
    with pytest.raises(CommandError):
        run("create_school", "!!!")
