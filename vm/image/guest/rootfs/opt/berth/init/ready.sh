#!/bin/sh
# busybox init runs this once, beside berthd: it says `ready` on the progress port once berthd has
# written its ready file (berthd.sh passes --ready-file: the API listens on the configured port and on
# its socket), or `error berthd …` with the last line of berthd's log when it never does. A shell
# loop, not a program: under TCG a second Node starting beside berthd's slowed berthd's start.
# The paths can be moved for a test: BERTH_RUN_DIR, BERTH_LOG_FILE (and lib.sh's BERTH_KMSG).
. "${0%/*}/lib.sh"
load_config
run=${BERTH_RUN_DIR:-/run/berth}
log=${BERTH_LOG_FILE:-/var/log/berth/berthd.log}
timeout=${BERTH_READY_TIMEOUT_S:-600}
where="127.0.0.1:$BERTH_DOCKER_TCP_PORT and $run/docker.sock"
i=0
while [ ! -e "$run/berthd.ready" ]; do
  if [ $i -ge $((timeout * 20)) ]; then
    progress "error berthd no answer at $where after $timeout s: $(tail -n 1 "$log" 2>/dev/null)"
    exit 1
  fi
  sleep 0.05
  i=$((i + 1))
done
progress "ready berthd answers at $where ($(cut -d' ' -f1 /proc/uptime) s since boot)"
exit 0
