#!/usr/bin/env bash
# Debian packages some tests drive, installed when missing: Chromium for the dashboard's browser tests (headless,
# through playwright's own driver, no download) and docker-compose to validate docker/compose.yml (no daemon needed).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

ensure() {  # ensure <command> <Debian package>
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "ensure_test_tools: installing Debian's $2 package"
  $SUDO apt-get install -y --no-install-recommends "$2" >/dev/null \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y --no-install-recommends "$2" >/dev/null; }
  command -v "$1" >/dev/null
}

ensure chromium chromium
# Docker's own compose plugin validates the file as well; without it, Debian's docker-compose 1.x does.
if ! docker compose version >/dev/null 2>&1; then ensure docker-compose docker-compose; fi
