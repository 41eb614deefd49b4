#!/usr/bin/env bash
# Whole-process figures for BENCHMARKS.md, measured on the release binary in a real terminal
# (tmux): cached start to first drawn frame, idle CPU, and RSS with 10,000 events.
# Usage: benches/measure.sh   (needs tmux and hyperfine; builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)"; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/meetty
work=$(mktemp -d)
port=18089
tm() { tmux -L meetty-bench "$@"; }
trap 'tm kill-server 2>/dev/null || true; kill $sandbox_pid 2>/dev/null || true; rm -rf "$work"' EXIT
env_vars="XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config TZ=Europe/Berlin"

# 1. Fill the demo cache once (start the demo, let it refresh, quit).
tm -f /dev/null new-session -d -x 200 -y 60 "env $env_vars $bin --demo"
sleep 3; tm send-keys q; sleep 1
ls -l "$work/data/meetty/agenda-demo.json"  # the demo's own cache

# 2. Cached start to first frame: the whole process, from exec to the frame drawn and exit.
tm new-session -d -x 200 -y 60 -s startup "env $env_vars hyperfine -N --warmup 5 --runs 100 \
  --export-markdown $work/startup.md '$bin --demo --exit-after-first-frame' > $work/startup.txt 2>&1; \
  tmux -L meetty-bench wait-for -S startup-done"
tm wait-for startup-done
echo "== cached start to first frame"; cat "$work/startup.md"

# 3. Idle CPU and RSS with 10,000 events: meetty against a separate sandbox process, so
#    the figures are meetty's own.
$bin sandbox --port $port --events 10000 > "$work/sandbox.txt" &
sandbox_pid=$!
sleep 2
token=$(grep -o 'MEETTY_ACCESS_TOKEN=[^ ]*' "$work/sandbox.txt" | cut -d= -f2)
tm new-session -d -x 200 -y 60 -s idle "env $env_vars MEETTY_API_ROOT=http://127.0.0.1:$port/ \
  MEETTY_ACCESS_TOKEN=$token $bin --days 7"
sleep 8
tm capture-pane -p -t idle | head -4
pid=$(pgrep -n -x meetty)  # the newest meetty: the TUI, not the sandbox
ticks() { awk '{print $14+$15}' "/proc/$pid/stat"; }
t0=$(ticks); sleep 30; t1=$(ticks)
hz=$(getconf CLK_TCK)
echo "== idle for 30 s: $(( (t1 - t0) * 1000 / hz )) ms of CPU time"
echo "== RSS with 10,000 events: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
tm send-keys -t idle r; sleep 5
echo "== RSS after a refresh (r): $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
tm send-keys -t idle q
