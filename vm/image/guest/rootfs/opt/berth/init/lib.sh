# Helpers of the guest's boot scripts (sourced by boot.sh, berthd.sh, shutdown.sh).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
PROGRESS=/dev/.berth-progress
CONFIG_ENV=/run/berth/config.env
KMSG=${BERTH_KMSG:-/dev/kmsg}

# One line to the host's progress port (through the initramfs' pump) and to the kernel console.
progress() {
  echo "berth: $*" >> "$KMSG" 2>/dev/null
  [ -p "$PROGRESS" ] && echo "$*" > "$PROGRESS"
}
stage() { progress "stage $*"; }
# fail <stage> <message>: the step failed; the boot goes on so that SSH and the logs can be read.
fail() { progress "error $*"; }

disk_by_serial() {
  for s in /sys/block/vd*/serial; do
    [ "$(cat "$s" 2>/dev/null)" = "$1" ] || continue
    d=${s%/serial}
    echo "/dev/${d##*/}"
    return 0
  done
  return 1
}

load_config() {
  [ -r "$CONFIG_ENV" ] && . "$CONFIG_ENV"
  : "${BERTH_DOCKER_TCP_PORT:=2375}" "${BERTH_KUBERNETES:=false}"
}
