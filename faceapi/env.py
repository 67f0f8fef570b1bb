"""Typed readers for settings that come from environment variables (twelve-factor)."""

import os
import secrets
from pathlib import Path


def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if not raw:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key(local_file: Path) -> str:
    """``SECRET_KEY`` from the environment, else one generated once into a git-ignored local file."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if local_file.exists():
        return local_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    local_file.parent.mkdir(parents=True, exist_ok=True)
    local_file.write_text(key)
    local_file.chmod(0o600)
    return key
