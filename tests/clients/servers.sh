#!/usr/bin/env bash
# Starts (or stops) the servers the smoke and dns fixtures talk to, on 127.0.0.1 only:
# an HTTP server for fixtures/site/public on port 18911 and dns_server.py on UDP port 15353.
# The pids go to STATE_DIR (default: $RUNNER_TEMP or /tmp) so `stop` ends exactly those.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${STATE_DIR:-${RUNNER_TEMP:-/tmp}}/launchgate-test-servers
python=$(command -v python3 || command -v python) || { echo "servers.sh: python3 is needed" >&2; exit 2; }

wait_for_http() {
  for _ in $(seq 1 50); do
    if curl --silent --fail --output /dev/null http://127.0.0.1:18911/health; then return 0; fi
    sleep 0.1
  done
  echo "servers.sh: the HTTP server did not answer on 127.0.0.1:18911" >&2
  exit 2
}

# A new session where there is setsid: act on the host ends a step's process group with the
# step, and the servers must outlive the step that starts them.
detach=()
if command -v setsid >/dev/null 2>&1; then detach=(setsid); fi

case "${1:-}" in
  start)
    mkdir -p "$state"
    ${detach[@]+"${detach[@]}"} "$python" -m http.server 18911 --bind 127.0.0.1 --directory "$here/fixtures/site/public" \
      >"$state/http.log" 2>&1 &
    echo $! >"$state/http.pid"
    ${detach[@]+"${detach[@]}"} "$python" "$here/dns_server.py" --port 15353 www.launch.test=A:203.0.113.10 \
      >"$state/dns.log" 2>&1 &
    echo $! >"$state/dns.pid"
    wait_for_http
    echo "servers.sh: HTTP on 127.0.0.1:18911, DNS on 127.0.0.1:15353/udp"
    ;;
  stop)
    for name in http dns; do
      if [ -f "$state/$name.pid" ]; then
        kill "$(cat "$state/$name.pid")" 2>/dev/null || true
        rm -f "$state/$name.pid"
      fi
    done
    ;;
  *)
    echo "usage: servers.sh start|stop" >&2
    exit 2
    ;;
esac
