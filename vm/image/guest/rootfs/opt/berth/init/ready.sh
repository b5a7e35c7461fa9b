#!/bin/sh
# busybox init runs this once, beside berthd: ready.mjs says `ready` when berthd answers on the
# configured port (and its socket), or why not.
. /opt/berth/init/lib.sh
load_config
exec /opt/berth/node/bin/node /opt/berth/init/ready.mjs "$BERTH_DOCKER_TCP_PORT"
