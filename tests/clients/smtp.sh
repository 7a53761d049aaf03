#!/usr/bin/env bash
# launchgate dns's SMTP probe against a real SMTP server: aiosmtpd (from PyPI, installed by
# run-all.sh) on 127.0.0.1 with STARTTLS and certificates made here with openssl, found
# through dns_server.py (mail.test MX -> mx.mail.test A 127.0.0.1). A certificate for the MX
# host passes; one for another name and a server without STARTTLS fail with their rule ids.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/clients
python=$(command -v python3 || command -v python)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
dns_port=15354
fail() {
  echo "smtp.sh: FAIL: $*" >&2
  exit 1
}

"$python" -c "import aiosmtpd" 2>/dev/null || fail "aiosmtpd is not installed (run-all.sh installs it)"

# A CA, and two server certificates it signs: one for the MX host, one for another name.
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=smtp.sh test CA" \
  -keyout ca.key -out ca.pem >/dev/null 2>&1
for name in mx.mail.test other.mail.test; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$name.key" -out "$name.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:%s\n' "$name" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile "$name.ext" -out "$name.pem" >/dev/null 2>&1
done

"$python" "$here/dns_server.py" --port "$dns_port" "mail.test=MX:10 mx.mail.test" \
  mx.mail.test=A:127.0.0.1 >dns.log 2>&1 &
pids+=($!)

# start_smtp PORT ARGS...: aiosmtpd on PORT, waiting until it accepts connections.
start_smtp() {
  local port=$1
  shift
  "$python" "$here/smtp_server.py" --port "$port" --pid-file "smtp-$port.pid" "$@" >"smtp-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    [ -s "smtp-$port.pid" ] && return 0
    sleep 0.1
  done
  fail "aiosmtpd did not start on port $port: $(cat "smtp-$port.log")"
}
start_smtp 18925 --cert mx.mail.test.pem --key mx.mail.test.key
start_smtp 18926 --cert other.mail.test.pem --key other.mail.test.key
start_smtp 18927 --no-starttls

# probe NAME PORT EXPECTED_EXIT RULE: the gate on mail.test with the probe on PORT; RULE is
# the one smtp.* finding expected, or "none".
probe() {
  local name=$1 port=$2 want=$3 rule=$4 status=0
  mkdir -p "$name"
  printf 'dns:\n  domain: mail.test\n  smtp: { probe: true, port: %s, ca: ../ca.pem, timeout_ms: 3000 }\n' "$port" \
    >"$name/launchgate.yml"
  (cd "$name" && launchgate dns --nameserver "udp://127.0.0.1:$dns_port" --timeout-ms 2000 --attempts 1 \
    --format json >report.json 2>stderr.txt) || status=$?
  [ "$status" = "$want" ] || fail "$name: exit $status, expected $want; $(cat "$name/stderr.txt" "$name/report.json")"
  found=$("$python" -c '
import json, sys
report = json.load(open(sys.argv[1]))["reports"][0]
rules = sorted(f["rule_id"] for f in report["findings"] if f["rule_id"].startswith("smtp."))
print(" ".join(rules) or "none")
checks = [c for c in report["checks"] if c["name"] == "SMTP STARTTLS"]
assert checks, "no SMTP STARTTLS check"
' "$name/report.json") || fail "$name: unreadable report: $(cat "$name/report.json")"
  [ "$found" = "$rule" ] || fail "$name: smtp findings '$found', expected '$rule'"
  echo "smtp.sh: $name: ok (exit $status, $found)"
}

probe good 18925 0 none
probe wrong-name 18926 1 smtp.certificate-name-mismatch
probe no-starttls 18927 1 smtp.no-starttls
echo "smtp.sh: aiosmtpd $("$python" -c 'import aiosmtpd; print(aiosmtpd.__version__)'): every case passed"
