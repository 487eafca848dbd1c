#!/usr/bin/env bash
# Where PostgreSQL's backends wait in the kernel while the bench runs (README "What bounds the
# targets that are missed"): records every context switch with its kernel stack for a while
# (perf, tracepoint sched:sched_switch; needs root or perf_event_paranoid <= 1), then sums, per
# backend, the time it spent blocked in the kernel (state D) by what it was waiting for:
#   flush  — the disk's cache flush at the end of an fsync/fdatasync (blkdev_issue_flush)
#   data   — waiting for its own written pages to reach the disk inside an fsync
#   inode  — writing the file's inode synchronously inside an fsync (ext4 without a journal)
#   pwrite / pread — a plain write or read that blocked (file extension, page-cache misses)
# Each backend is named by the query it ran most often while sampled (pg_stat_activity), so a
# group commit's INSERT and the handlers' statements are told apart. The time counted runs from
# the switch-out to the next switch-in: it includes waiting for a core once the IO is done.
#
# Usage, while a bench phase runs (e.g. an open loop):  bench/offcpu.sh [seconds] [database]
#   seconds: how long to record (20); database: the bench database (default: the newest bench_*)
set -euo pipefail
SECONDS_TO_RECORD=${1:-20}
PSQL=(psql -h 127.0.0.1 -U postgres -AtX)
DB=${2:-$("${PSQL[@]}" -c "select datname from pg_database where datname like 'bench_%' order by datname desc limit 1")}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

perf record -q -o "$OUT/perf.data" -e sched:sched_switch -g -a -- sleep "$SECONDS_TO_RECORD" 2>/dev/null &
PERF=$!
for _ in $(seq 1 "$SECONDS_TO_RECORD"); do
  "${PSQL[@]}" -F $'\t' -c "select pid, coalesce(nullif(backend_type, 'client backend'), left(regexp_replace(query, '\s+', ' ', 'g'), 60))
      from pg_stat_activity where datname = '$DB' or backend_type <> 'client backend'" >> "$OUT/activity.tsv" || true
  sleep 1
done
wait "$PERF"
perf script -i "$OUT/perf.data" -F time,event,trace,ip,sym 2>/dev/null > "$OUT/switches.txt"

python3 - "$OUT/switches.txt" "$OUT/activity.tsv" <<'EOF'
import collections, re, sys

names = collections.defaultdict(collections.Counter)
for line in open(sys.argv[2]):
    pid, _, what = line.rstrip("\n").partition("\t")
    names[pid][what] += 1

SWITCH = re.compile(r"prev_comm=(\S+) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=\S+ next_pid=(\d+)")
blocked, waits = {}, collections.defaultdict(list)
current, frames = None, []

def categorize(stack):
    if "blkdev_issue_flush" in stack: return "flush"
    if "ext4_write_inode" in stack: return "inode"
    if "folio_wait_writeback" in stack or "__filemap_fdatawait_range" in stack: return "data"
    if "__x64_sys_pwrite64" in stack: return "pwrite"
    if "__x64_sys_pread64" in stack: return "pread"
    return "other"

def close():
    global current, frames
    if current:
        pid, since = current
        blocked[pid] = (since, categorize({f.split()[1] for f in frames if len(f.split()) > 1}))
    current, frames = None, []

for line in open(sys.argv[1]):
    if "sched_switch" not in line:
        if current: frames.append(line.strip())
        continue
    close()
    match = SWITCH.search(line)
    if not match: continue
    now = float(line.split(":")[0])
    prev_comm, prev_pid, prev_state, next_pid = match.groups()
    if next_pid in blocked:
        since, category = blocked.pop(next_pid)
        waits[(next_pid, category)].append((now - since) * 1000)
    if prev_comm == "postgres" and prev_state.startswith("D"):
        current = (prev_pid, now)
close()

print("%-7s %-62s %-6s %6s %8s %7s %7s %7s %6s" % ("pid", "backend (its most frequent query)", "wait", "count", "total ms", "p50 ms", "p99 ms", "max ms", ">10ms"))
for (pid, category), values in sorted(waits.items(), key=lambda item: -sum(item[1]))[:20]:
    values.sort()
    name = names[pid].most_common(1)[0][0] if names[pid] else "?"
    print("%-7s %-62s %-6s %6d %8.0f %7.2f %7.2f %7.1f %6d" % (pid, name[:62], category, len(values), sum(values),
        values[len(values) // 2], values[int(len(values) * 0.99)], values[-1], sum(v > 10 for v in values)))
EOF
