#!/usr/bin/env bash
# The benchmark of issue 8 in one command (README "Performance"): builds what is missing, starts
# the gateway on a fresh database with bench/gateway-bench.yaml and a trivial Vert.x endpoint for
# the HTTP ceiling, runs every scenario and both ceilings (io.emailgateway.bench.Bench), stops
# everything it started and prints one table. Exit status: 0 when every acknowledged event is in
# PostgreSQL, 3 when any is missing, other non-zero on a failure to run.
#
# Knobs (environment): BENCH_SECONDS (20) and BENCH_WARMUP (10) per phase, BENCH_CONNECTIONS (32;
# at most 3,200 events outstanding, so 4 for batches of 1,000), BENCH_SOAK_SECONDS (300: the
# heap-flatness run; 0 for none), BENCH_SCENARIOS, BENCH_OPEN (empty: no open-loop phase),
# BENCH_JFR=1 (flight recording of the gateway into the work directory), BENCH_KEEP_DB=1,
# BENCH_HANDLERS=false (ingest alone, handlers off), BENCH_GC (the gateway's collector, e.g. -XX:+UseZGC;
# unset: the JVM's default, G1, as in the Docker image), BENCH_JAVA_OPTS (more JVM options for the gateway), BENCH_PG_BASE_URI (postgresql://postgres@127.0.0.1:5432), BENCH_REDIS_URI (redis://127.0.0.1:6379),
# BENCH_HTTP_INSTANCES / BENCH_PERSIST_INSTANCES / BENCH_PARALLEL_MIN_EVENTS / BENCH_PG_POOL_SIZE / BENCH_MAX_BATCH_EVENTS
# (gateway settings), BENCH_JAR (another build of the gateway, e.g. to compare two commits).
# Extra arguments go to Bench as they are (e.g. --ceilings false, --ceiling-connections 2,4,32,
# --events-in-flight 6400, --open-rate 200:
# every open-loop phase at that many requests/s instead of 70 % of its closed loop, for A/B runs).
# A quick look on a busy machine: BENCH_WARMUP=3 BENCH_SECONDS=5 BENCH_SOAK_SECONDS=0 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BASE=${BENCH_PG_BASE_URI:-postgresql://postgres@127.0.0.1:5432}
STAMP=$(date -u +%Y%m%d_%H%M%S)
DB="bench_${STAMP}_$$"
WORK="target/bench/$STAMP"
JAR=${BENCH_JAR:-target/email-webhook-gateway.jar}
CP_FILE=target/bench.cp
mkdir -p "$WORK"

mvn_quiet() { mvn -B -q -o "$@" || mvn -B -q "$@"; }

if [[ ! -f target/email-webhook-gateway.jar || ! -d target/test-classes
      || -n $(find pom.xml src -newer target/email-webhook-gateway.jar -type f -print -quit) ]]; then
  echo "building the gateway and the bench (mvn package -DskipTests)" >&2
  mvn_quiet package -DskipTests
fi
if [[ ! -f $CP_FILE || pom.xml -nt $CP_FILE ]]; then
  mvn_quiet dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
fi
CP="target/test-classes:target/classes:$(cat "$CP_FILE")"

USED_PORTS=" " # free_port runs in a subshell: the caller records each port it got
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if [[ $USED_PORTS != *" $port "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "no free port found" >&2
  exit 1
}
HTTP_PORT=$(free_port); USED_PORTS="$USED_PORTS$HTTP_PORT "
MGMT_PORT=$(free_port); USED_PORTS="$USED_PORTS$MGMT_PORT "
CEILING_PORT=$(free_port); USED_PORTS="$USED_PORTS$CEILING_PORT "
CERT_PORT=$(free_port)

GATEWAY_PID=""
CEILING_PID=""
stop() {
  local pid=$1 name=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  echo "$name did not stop within 30 s, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$GATEWAY_PID" gateway
  stop "$CEILING_PID" "HTTP ceiling server"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

java -cp "$CP" io.emailgateway.bench.Bench prepare --dir "$WORK" --cert-port "$CERT_PORT"
set -a
# shellcheck disable=SC1091
source "$WORK/bench.env"
BENCH_HTTP_PORT=$HTTP_PORT
BENCH_MANAGEMENT_PORT=$MGMT_PORT
BENCH_PG_URI="$PG_BASE/$DB"
BENCH_REDIS_URI=${BENCH_REDIS_URI:-redis://127.0.0.1:6379}
set +a

JFR_OPTS=()
if [[ ${BENCH_JFR:-0} == 1 ]]; then
  JFR_OPTS=("-XX:StartFlightRecording=filename=$WORK/gateway.jfr,settings=profile,dumponexit=true")
fi
echo "gateway: database $DB, webhooks on 127.0.0.1:$HTTP_PORT, logs in $WORK/gateway.log" >&2
# shellcheck disable=SC2086 # BENCH_GC and BENCH_JAVA_OPTS are lists of JVM options (or empty)
java -Xmx512m ${BENCH_GC:-} -Xlog:gc,safepoint:file="$WORK/gateway-gc.log":utctime,uptime ${BENCH_JAVA_OPTS:-} "${JFR_OPTS[@]}" -jar "$JAR" \
  --config bench/gateway-bench.yaml >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
java -Xmx512m -cp "$CP" io.emailgateway.bench.HttpCeilingServer "$CEILING_PORT" "${BENCH_HTTP_INSTANCES:-2}" \
  >"$WORK/ceiling.log" 2>&1 &
CEILING_PID=$!

for _ in $(seq 1 240); do
  if curl -sf "http://127.0.0.1:$MGMT_PORT/health/ready" >/dev/null 2>&1 && grep -q "ceiling server on" "$WORK/ceiling.log"; then
    break
  fi
  if ! kill -0 "$GATEWAY_PID" 2>/dev/null || ! kill -0 "$CEILING_PID" 2>/dev/null; then
    echo "the gateway or the ceiling server did not start:" >&2
    tail -20 "$WORK/gateway.log" "$WORK/ceiling.log" >&2
    exit 1
  fi
  sleep 0.5
done
curl -sf "http://127.0.0.1:$MGMT_PORT/health/ready" >/dev/null || { echo "gateway not ready after 120 s" >&2; exit 1; }

set +e
java -Xmx2g -Xlog:gc:file="$WORK/bench-gc.log":utctime,uptime --add-exports jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED -cp "$CP" \
  io.emailgateway.bench.Bench run --dir "$WORK" --gateway "http://127.0.0.1:$HTTP_PORT" --gateway-pid "$GATEWAY_PID" \
  --management "http://127.0.0.1:$MGMT_PORT" \
  --ceiling "http://127.0.0.1:$CEILING_PORT" --pg "$BENCH_PG_URI" --cert-port "$CERT_PORT" \
  --seconds "${BENCH_SECONDS:-20}" --warmup "${BENCH_WARMUP:-10}" --connections "${BENCH_CONNECTIONS:-32}" \
  --soak-seconds "${BENCH_SOAK_SECONDS:-300}" \
  --scenarios "${BENCH_SCENARIOS:-sendgrid-1,sendgrid-10,sendgrid-100,sendgrid-1000,mailgun,ses}" \
  --open "${BENCH_OPEN-sendgrid-100,mailgun}" "$@" | tee "$WORK/result.md"
STATUS=${PIPESTATUS[0]}
set -e

cleanup
if [[ $STATUS == 0 && ${BENCH_KEEP_DB:-0} != 1 ]]; then
  psql "$PG_BASE/postgres" -q -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1 \
    || echo "could not drop database $DB (drop it by hand)" >&2
else
  echo "database $DB kept for inspection" >&2
fi
echo "results and logs: $WORK" >&2
exit "$STATUS"
