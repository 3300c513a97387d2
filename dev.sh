#!/usr/bin/env bash
# The newcomer's two commands:
#   ./dev.sh run    set up, then run the bot on SQLite with the LINE emulator (http://127.0.0.1:8000/emulator/)
#   ./dev.sh test   set up, then run the test suite (SQLite; TEST_DATABASE_URL=postgresql://... for PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3.11}
VENV=.venv

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  local wanted="$1" stamp="$VENV/.installed-$1"
  if [ ! -f "$stamp" ] || [ "$wanted.txt" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r "$wanted.txt"
    touch "$stamp"
  fi
}

# Debian's chromium prints the PDFs and runs the browser tests; poppler-utils reads PDFs back in tests.
chromium_ready() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/pdftoppm ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium (PDFs, browser tests) and poppler-utils ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg poppler-utils >/dev/null
  else
    echo "FieldLine needs Debian's chromium and poppler-utils: sudo apt-get install chromium fonts-thai-tlwg poppler-utils" >&2
    return 1
  fi
}

case "${1:-}" in
  run)
    setup requirements
    chromium_ready || echo "(without chromium the documents come as DOCX only)"
    export FIELDLINE_MODE=${FIELDLINE_MODE:-demo} PORT=${PORT:-8000}
    export WEB_CONCURRENCY=${WEB_CONCURRENCY:-1}
    "$VENV/bin/flask" --app bot db upgrade
    "$VENV/bin/flask" --app bot demo load
    "$VENV/bin/python" -m scheduler &
    clock=$!
    "$VENV/bin/gunicorn" --bind "127.0.0.1:$PORT" 'bot:create_app()' &
    web=$!
    trap 'kill $clock $web 2>/dev/null; wait' EXIT INT TERM
    "$VENV/bin/python" - "$PORT" <<'PY'
import sys, time, urllib.request
for _ in range(120):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
        break
    except OSError:
        time.sleep(0.5)
PY
    "$VENV/bin/flask" --app bot richmenu deploy || echo "(the rich menu could not be deployed to the emulator)"
    echo
    echo "FieldLine พร้อมแล้ว: เปิด http://127.0.0.1:$PORT/emulator/ เพื่อคุยกับบอท"
    echo "หน้าผู้ดูแล: http://127.0.0.1:$PORT/admin/ (admin / fieldline-demo)   Ctrl+C เพื่อหยุด"
    echo
    wait $web
    ;;
  test)
    setup requirements-dev
    chromium_ready
    shift
    "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./dev.sh run | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
