import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attendance.models import School
from attendance.services.schools import CLI_ACTOR, create_api_key


class Command(BaseCommand):
    help = 'Add an API key to a school; prints one JSON line {"school": slug, "api_key": key}.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", default="default", help="a label to recognise the key by")

    def handle(self, *args: Any, slug: str, name: str, **options: Any) -> None:
        school = School.objects.filter(slug=slug).first()
        if school is None:
            raise CommandError(f"No school with slug {slug!r}.")
        _, key = create_api_key(school=school, actor=CLI_ACTOR, name=name)
        self.stdout.write(json.dumps({"school": school.slug, "api_key": key}))
