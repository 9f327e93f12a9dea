#!/usr/bin/env bash
# Installs what is missing: the Python environments (pipeline, Superset, supervisord) from their committed, fully pinned locks.
# Idempotent and fast when nothing changed (a stamp holds the hash of each lock).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-python3}
UV_VERSION=0.13.8

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "bootstrap: Python 3.11 is required (found $("$PY" --version 2>&1))" >&2
  exit 1
fi

# System packages from Debian's registry: headless Chromium and its driver (browser tests, screenshots), CJK fonts
# (Chinese in charts, PDFs and screenshots renders as glyphs, not boxes), poppler (PDF pages to images).
SYSTEM_PACKAGES="chromium chromium-driver fonts-noto-cjk poppler-utils"
missing=$(for p in $SYSTEM_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "bootstrap: missing system packages: $missing (install them as root: apt-get install $missing)" >&2
    exit 1
  fi
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  echo "bootstrap: installing system packages: $missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# uv, in its own small environment (pinned), used only to install the locks
if [ ! -x .venvs/tools/bin/uv ] || [ "$(.venvs/tools/bin/uv --version | awk '{print $2}')" != "$UV_VERSION" ]; then
  echo "bootstrap: installing uv $UV_VERSION"
  "$PY" -m venv .venvs/tools
  .venvs/tools/bin/pip install -q "uv==$UV_VERSION"
fi
UV=.venvs/tools/bin/uv

install_env() {  # name lock [editable]
  local name=$1 lock=$2 stamp=.venvs/$1/.lock.sha256
  local want
  want=$(sha256sum "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "bootstrap: installing the $name environment from $lock"
  [ -x ".venvs/$name/bin/python" ] || "$UV" venv -q --python "$PY" ".venvs/$name"
  "$UV" pip sync -q --python ".venvs/$name/bin/python" "$lock"
  if [ "${3:-}" = editable ]; then
    "$UV" pip install -q --python ".venvs/$name/bin/python" --no-deps -e "$ROOT"
  fi
  echo "$want" > "$stamp"
}

install_env pipeline requirements/pipeline.lock editable
install_env superset requirements/superset.lock
install_env supervisor requirements/supervisor.lock
