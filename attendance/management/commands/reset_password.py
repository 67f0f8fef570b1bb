import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attendance.services.members import reset_password


class Command(BaseCommand):
    help = "Give a dashboard user a new random password; prints one JSON line with it (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        try:
            password = reset_password(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        self.stdout.write(json.dumps({"username": username, "password": password}))
