#!/bin/sh
# Says `ready` on the progress port once berthd answers GET /_ping on the guest's loopback port, the
# address the host reaches it at (busybox init runs this once, beside berthd), or `error berthd …`
# with the last line of its log when it never does. busybox wget, not a second Node beside berthd's
# own start: under TCG that start is most of the boot.
. /opt/berth/init/lib.sh
load_config
url="http://127.0.0.1:$BERTH_DOCKER_TCP_PORT/_ping"
deadline=$(($(date +%s) + ${BERTH_READY_TIMEOUT_S:-600}))
until [ "$(wget -q -T 2 -O - "$url" 2>/dev/null)" = OK ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    progress "error berthd no answer at $url after ${BERTH_READY_TIMEOUT_S:-600} s: $(tail -n 1 /var/log/berth/berthd.log)"
    exit 1
  fi
  usleep 100000
done
progress "ready berthd answers at $url ($(cut -d ' ' -f 1 /proc/uptime) s since boot)"
