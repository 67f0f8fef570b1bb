import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attendance.services.schools import CLI_ACTOR, SchoolNameInvalid, create_school


class Command(BaseCommand):
    help = 'Create a school and its admin API key; prints one JSON line {"school": slug, "api_key": key}.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            school, key = create_school(name=name, actor=CLI_ACTOR)
        except SchoolNameInvalid as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"school": school.slug, "api_key": key}))
