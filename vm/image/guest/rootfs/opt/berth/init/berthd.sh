#!/bin/sh
# berthd, kept running by busybox init (respawn): the Docker API on the engine's socket and on the
# guest's loopback (the host reaches it through SSH direct-tcpip; dropbear cannot forward a socket);
# its ready file tells ready.sh when both listen.
. /opt/berth/init/lib.sh
load_config
mkdir -p /var/log/berth /run/berth
set -- --data-root /var/lib/berth/engine --pidfile /run/berth/berthd.pid --ready-file /run/berth/berthd.ready \
  -H unix:///run/berth/docker.sock -H "tcp://127.0.0.1:$BERTH_DOCKER_TCP_PORT"
[ "$BERTH_KUBERNETES" = true ] && set -- "$@" --kubernetes
# Its bridge and iptables rules need the engine's modules (loading in the background since boot.sh).
i=0
while [ ! -e /run/berth/modules-engine.done ] && [ $i -lt 300 ]; do
  usleep 100000
  i=$((i + 1))
done
# A cluster reset holds berthd down while it wipes the cluster's state (reset-cluster.sh).
i=0
while [ -e /run/berth/berthd.hold ] && [ $i -lt 600 ]; do
  usleep 100000
  i=$((i + 1))
done
stage berthd starting, log in /var/log/berth/berthd.log
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) berthd $*" >> /var/log/berth/berthd.log
exec /opt/berth/node/bin/node /opt/berth/berthd/berthd.js "$@" >> /var/log/berth/berthd.log 2>&1
