#!/usr/bin/env bash
# Full-history scan speed against git's own decoding of the same objects.
#
#   crates/launchgate-secrets/benches/history.sh [--repo PATH] [RUNS] [BINARY]
#
# Without BINARY it builds the release binary (in $CARGO_TARGET_DIR when set). To compare two
# builds on one benchmark repository, pass each binary in turn.
#
# With --repo, it measures a real repository (a clone, bare or not; real histories are not
# committed): the same side-by-side timing, without the planted-secret check. Name the
# repository and its commit (printed) with the figures.
#
# Without --repo, it builds (once, cached in target/history-bench/) a benchmark repository with git
# fast-import: successive versions of the crate sources in ~/.cargo/registry/src, then
# 20,000+ edit commits, over 1 GB of blob content, repacked with deltas. Secrets are planted
# in some commits and removed a little later; one stays in HEAD. Then, side by side on the
# same repository with a warm page cache, it times
#   git cat-file --batch-all-objects --batch --unordered > /dev/null
# and a full-history scan, printing wall times, the ratio, MB/s and peak memory, and checks
# that every planted secret was reported with the commit and path that introduced it.
# Run by hand; not part of CI. Delete target/history-bench/ to rebuild the repository.
set -euo pipefail

real_repo=""
if [[ "${1:-}" == "--repo" ]]; then
  real_repo="$(cd "${2:?--repo needs a path}" && pwd)"
  shift 2
fi
runs="${1:-3}"
bin="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$root/target/history-bench"
repo="$work/repo.git"
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
mkdir -p "$work"

if [[ -n "$real_repo" ]]; then
  repo="$real_repo"
elif [[ ! -f "$work/repo.done" ]]; then
  rm -rf "$repo" "$work/expected.json"
  git init -q --bare --initial-branch=main "$repo"
  echo "building the benchmark repository from $registry (a few minutes, once)..."
  python3 - "$registry" "$work/expected.json" <<'PY' | git -C "$repo" fast-import --quiet --export-marks="$work/marks"
import json, os, re, sys

registry, expected_path = sys.argv[1], sys.argv[2]
out = sys.stdout.buffer
TEXT = {".rs", ".toml", ".md", ".txt", ".json", ".yml", ".yaml", ".c", ".h", ".py", ".sh", ".html", ".js", ".css", ".in"}

def lcg():
    state = 0x2545F4914F6CDD1D
    while True:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield state >> 33
rand = lcg()
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
def key():
    return "sk_live_51" + "".join(ALNUM[next(rand) % 62] for _ in range(24))

mark = 0
time = 1_500_000_000
def commit(changes, message):
    """changes: list of (path, bytes or None for delete)."""
    global mark, time
    mark += 1
    time += 600
    msg = message.encode()
    out.write(b"commit refs/heads/main\nmark :%d\n" % mark)
    out.write(b"author Bench <bench@launchgate.invalid> %d +0000\n" % time)
    out.write(b"committer Bench <bench@launchgate.invalid> %d +0000\n" % time)
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    for path, data in changes:
        if data is None:
            out.write(b"D %s\n" % path.encode())
        else:
            out.write(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
            out.write(data)
            out.write(b"\n")
    return mark

def version_key(name):
    m = re.match(r"^(.*)-(\d+)\.(\d+)\.(\d+)(.*)$", name)
    return (m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5)) if m else (name, 0, 0, 0, "")

blob_bytes = 0
current = {}
# Phase 1: each crate version is a commit over vendor/<crate>/, so later versions of a
# crate modify the files of earlier ones, as real history does.
crate_dirs = [os.path.join(registry, index, name)
              for index in sorted(os.listdir(registry))
              for name in sorted(os.listdir(os.path.join(registry, index)))]
for top in sorted(crate_dirs, key=lambda d: version_key(os.path.basename(d))):
    name = os.path.basename(top)
    if not os.path.isdir(top):
        continue
    crate = version_key(name)[0]
    changes = []
    for dirpath, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            full = os.path.join(dirpath, f)
            if os.path.splitext(f)[1] not in TEXT or os.path.islink(full):
                continue
            data = open(full, "rb").read()
            if len(data) > 400_000 or b"\0" in data[:8000] or b"sk_live_" in data:
                continue
            path = "vendor/%s/%s" % (crate, os.path.relpath(full, top))
            if current.get(path) != data:
                current[path] = data
                changes.append((path, data))
                blob_bytes += len(data)
    if changes:
        commit(changes, "vendor " + name)

# Phase 2: edit commits, each inserting a line into files picked with a bias to large ones,
# until there are 20,000+ commits and over 1.1 GB of blob content.
candidates = sorted(p for p, d in current.items() if 16_000 <= len(d) <= 64_000 and p.endswith(".rs"))
planted, pending_removal, expected = {}, {}, []
PLANT_AT = {2000: "history", 6000: "history", 10000: "history", 14000: "history", 18000: "head"}
n = 0
while n < 20_000 or blob_bytes < 1_100_000_000:
    n += 1
    changes, size = [], 0
    if n in PLANT_AT:
        secret, env_path = key(), "deploy/prod-%d.env" % n
        data = b"DATABASE_URL=postgres://db.internal/app\nSTRIPE_KEY=" + secret.encode() + b"\n"
        changes.append((env_path, data))
        src_secret = key()
        src_path = candidates[next(rand) % len(candidates)]
        lines = current[src_path].split(b"\n")
        at = next(rand) % len(lines)
        lines.insert(at, b'const BILLING_KEY: &str = "' + src_secret.encode() + b'";')
        current[src_path] = b"\n".join(lines)
        changes.append((src_path, current[src_path]))
        exposure = PLANT_AT[n]
        expected.append({"path": env_path, "line": 2, "mark": mark + 1, "exposure": exposure})
        expected.append({"path": src_path, "line": at + 1, "mark": mark + 1, "exposure": exposure})
        if exposure == "history":
            pending_removal[n + 50] = (env_path, src_path, src_secret)
    if n in pending_removal:
        env_path, src_path, src_secret = pending_removal.pop(n)
        changes.append((env_path, None))
        current[src_path] = b"\n".join(l for l in current[src_path].split(b"\n") if src_secret.encode() not in l)
        changes.append((src_path, current[src_path]))
    while size < 40_000:
        path = candidates[next(rand) % len(candidates)]
        lines = current[path].split(b"\n")
        lines.insert(next(rand) % len(lines), b"// edit %d" % n)
        current[path] = b"\n".join(lines)
        changes.append((path, current[path]))
        size += len(current[path])
    for _, data in changes:
        blob_bytes += len(data or b"")
    commit(changes, "edit %d" % n)
json.dump(expected, open(expected_path, "w"))
sys.stderr.write("%d commits, %.2f GB of blob content\n" % (mark, blob_bytes / 1e9))
PY
  echo "repacking with deltas..."
  git -C "$repo" repack -q -a -d -f --window=10 --depth=50
  touch "$work/repo.done"
fi

if [[ -z "$bin" ]]; then
  (cd "$root" && cargo build -q --release -p launchgate-secrets)
  bin="${CARGO_TARGET_DIR:-$root/target}/release/launchgate-secrets"
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
# The history scan reads the repository of the current folder.
scan=(env -C "$repo" "$bin" scan --history --no-baseline --format json)

commits=$(git -C "$repo" rev-list --count --all)
read -r blobs bytes < <(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' \
  | awk '$1 == "blob" { n++; s += $2 } END { printf "%d %.0f\n", n, s }')
objects="$(git -C "$repo" rev-parse --path-format=absolute --git-path objects)"
pack_mb=$(du -cm "$objects"/pack/*.pack | tail -1 | cut -f1)
echo "repository: $repo at $(git -C "$repo" rev-parse HEAD)"
# On a shared machine the other processes' load moves both timings: quote it with them.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "  $commits commits, $blobs blobs, $((bytes / 1000000)) MB of blob content, ${pack_mb} MiB of packs, $(nproc) cores"
cat "$objects"/pack/*.pack > /dev/null

# Resident memory of a process and all its descendants (the scanner's git children count).
subtree_rss() {
  ps -eo pid=,ppid=,rss= | awk -v root="$1" '
    { parent[$1] = $2; rss[$1] = $3 }
    END { for (p in rss) { q = p; while (q != "" && q != 0 && q != root) q = parent[q]; if (q == root) s += rss[p] } print s + 0 }'
}

# One timed run: prints "wall_seconds cpu_seconds peak_rss_kib largest_process_kib", the CPU
# time being that of the process and every child it waited for (git's included); the peak
# the largest summed resident memory (RSS) of the whole process tree, sampled every 50 ms,
# so git's processes beside the scanner count, and pages of a pack both map count twice;
# the last the kernel's high-water mark of the largest single process, which no sampling
# misses.
measure() {
  local out="$1"; shift
  local start end pid peak=0 rss cpu_file
  cpu_file=$(mktemp)
  start=$(date +%s%N)
  /usr/bin/time -o "$cpu_file" -f '%U %S %M' "$@" > "$out" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(subtree_rss "$pid")
    (( rss > peak )) && peak=$rss
    sleep 0.05
  done
  wait "$pid" || [[ $? == 1 ]]
  end=$(date +%s%N)
  awk -v ns=$((end - start)) -v peak="$peak" '/^[0-9.]+ [0-9.]+ [0-9]+$/ { cpu = $1 + $2; largest = $3 }
    END { printf "%.2f %.2f %d %d\n", ns / 1e9, cpu, peak, largest }' "$cpu_file"
  rm -f "$cpu_file"
}

git_times=(); scan_times=(); git_cpus=(); scan_cpus=(); git_rss=0; scan_rss=0; git_one=0; scan_one=0
for i in $(seq "$runs"); do
  read -r t c m l < <(measure /dev/null git -C "$repo" cat-file --batch-all-objects --batch --unordered)
  git_times+=("$t"); git_cpus+=("$c"); (( m > git_rss )) && git_rss=$m; (( l > git_one )) && git_one=$l
  read -r t c m l < <(measure "$work/report.json" "${scan[@]}")
  scan_times+=("$t"); scan_cpus+=("$c"); (( m > scan_rss )) && scan_rss=$m; (( l > scan_one )) && scan_one=$l
  echo "run $i: git cat-file ${git_times[-1]} s (${git_cpus[-1]} s CPU), scan ${t} s (${c} s CPU), peak $((m / 1024)) MiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
g=$(median "${git_times[@]}"); s=$(median "${scan_times[@]}")
gc=$(median "${git_cpus[@]}"); sc=$(median "${scan_cpus[@]}")
awk -v g="$g" -v s="$s" -v gc="$gc" -v sc="$sc" -v b="$bytes" -v gm="$git_rss" -v sm="$scan_rss" \
  -v go="$git_one" -v so="$scan_one" 'BEGIN {
  printf "git cat-file --batch-all-objects --batch --unordered: %.2f s, %.2f s CPU (medians), peak %d MiB (largest process %d MiB)\n", g, gc, gm / 1024, go / 1024
  printf "launchgate-secrets scan --history:                    %.2f s, %.2f s CPU (medians), peak %d MiB (largest process %d MiB), %.0f MB/s\n", s, sc, sm / 1024, so / 1024, b / 1e6 / s
  print "peak: the largest sum of the resident memory of the command and every process it started, git included, sampled every 50 ms"
  printf "ratio scan / git cat-file: %.2f wall, %.2f CPU\n", s / g, sc / gc
}'
echo "load average (1, 5, 15 min): $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end, on $(nproc) cores"
findings=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["reports"][0]["findings"]))' "$work/report.json")
if [[ -n "$real_repo" ]]; then
  echo "$findings findings"
  exit 0
fi

# Every planted secret, at the commit and path that introduced it, with its exposure.
python3 - "$work/expected.json" "$work/marks" "$work/report.json" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))
marks = dict(l.split() for l in open(sys.argv[2]))
report = json.load(open(sys.argv[3]))["reports"][0]
found = {(f["location"]["path"], f["location"].get("commit")): f for f in report["findings"]}
missing = 0
for e in expected:
    commit = marks[":%d" % e["mark"]]
    f = found.get((e["path"], commit))
    ok = f is not None and f["location"]["line"] == e["line"] and f["properties"]["exposure"].startswith(e["exposure"])
    missing += not ok
    print("%s %s:%d in %s (%s)" % ("found  " if ok else "MISSING", e["path"], e["line"], commit[:12], e["exposure"]))
print("%d of %d planted secrets found with the right commit, path and line; %d findings in total"
      % (len(expected) - missing, len(expected), len(report["findings"])))
sys.exit(1 if missing else 0)
PY
