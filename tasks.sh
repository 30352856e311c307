#!/usr/bin/env bash
# The project's entry points. On a fresh machine (Python 3.11+, Node 20+, Debian) each command
# installs what it needs first, so it is the whole set-up:
#   ./tasks.sh preview [args]   render the weekly email from the embedded sample data
#   ./tasks.sh test [args]      run the test suite (installs the Kusto parser and Chromium too)
#   ./tasks.sh bench [args]     run the benchmarks
# Either of the first two leaves the `securescore` command in .venv/bin (see README).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

python_deps() {
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
  fi
  # requirements.lock pins every package, transitive ones too; skip the install when unchanged.
  if ! cmp -s requirements.lock .venv/.installed-lock 2>/dev/null; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
    cp requirements.lock .venv/.installed-lock
  fi
  # The project itself, editable and without dependencies (the lock has them, setuptools too): puts the
  # `securescore` command in .venv/bin. Redone when pyproject.toml changes (version, entry points).
  if ! cmp -s pyproject.toml .venv/.installed-pyproject 2>/dev/null || [ ! -x .venv/bin/securescore ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    cp pyproject.toml .venv/.installed-pyproject
  fi
}

node_deps() {
  if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock
  fi
}

browser() {
  # The layout test drives Debian's headless Chromium; install it when we can (root + apt).
  if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

case "${1:-}" in
  preview) shift; python_deps; exec .venv/bin/python -m scripts.preview "$@" ;;
  test) shift; python_deps; node_deps; browser; exec .venv/bin/python -m pytest "$@" ;;
  bench) shift; python_deps; exec .venv/bin/python -m bench "$@" ;;
  *) echo "usage: ./tasks.sh preview|test|bench [args]" >&2; exit 2 ;;
esac
