import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attendance.models import Membership, School
from attendance.services.members import add_member
from attendance.services.schools import CLI_ACTOR


class Command(BaseCommand):
    help = "Give a dashboard user (created if new) a role in a school; prints one JSON line with a new user's password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("school", help="the school's slug")
        parser.add_argument("username")
        parser.add_argument("--role", choices=Membership.Role.values, default=Membership.Role.TEACHER)

    def handle(self, *args: object, school: str, username: str, role: str, **options: object) -> None:
        found = School.objects.filter(slug=school).first()
        if found is None:
            raise CommandError(f"No school with slug {school!r}.")
        _, password = add_member(school=found, username=username, role=role, actor=CLI_ACTOR)
        self.stdout.write(json.dumps({"school": found.slug, "username": username, "role": role, "password": password}))
