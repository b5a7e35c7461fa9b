#!/bin/sh
# Before busybox init ends every process: berthd stops cleanly (its containers stay with their
# conmon until init's own kill), then the data disk is synced and left clean.
. /opt/berth/init/lib.sh
pid=$(cat /run/berth/berthd.pid 2>/dev/null)
if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
    usleep 100000
    i=$((i + 1))
  done
fi
sync
umount /var/lib/berth 2>/dev/null || mount -o remount,ro /var/lib/berth 2>/dev/null
exit 0
