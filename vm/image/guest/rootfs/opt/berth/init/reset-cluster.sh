#!/bin/sh
# The cluster's reset, run by the host's agent over SSH: berthd is held down (berthd.sh waits while
# the hold file is there, so init's respawn does not bring it back too soon) and stopped (its pods'
# containers keep running, as at any berthd restart), the cluster's state is wiped but for its
# certificates and admin kubeconfig (so the host's berth context stays valid), and berthd starts
# again with a new, empty cluster whose kubelet removes the old pods' containers. Images, volumes and
# every other container are the engine's and stay.
# The paths can be moved for a test: BERTH_RUN_DIR, BERTH_KUBE_DIR.
run=${BERTH_RUN_DIR:-/run/berth}
kube=${BERTH_KUBE_DIR:-/var/lib/berth/engine/kubernetes}
hold=$run/berthd.hold

mkdir -p "$run"
: > "$hold"
trap 'rm -f "$hold"' EXIT
pid=$(cat "$run/berthd.pid" 2>/dev/null)
if [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; then
  i=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ $i -ge 300 ]; then
      echo "berthd (pid $pid) did not stop within 30 s: nothing was reset" >&2
      exit 1
    fi
    usleep 100000 2>/dev/null || sleep 0.1
    i=$((i + 1))
  done
fi
# The pods' memory volumes are mounts under the folder: deepest first.
if [ -r /proc/self/mountinfo ]; then
  awk -v d="$kube" '$5 == d || index($5, d "/") == 1 { print length($5) " " $5 }' /proc/self/mountinfo |
    sort -rn | while read -r _ point; do umount -l "$point" 2>/dev/null; done
fi
removed=0
if [ -d "$kube" ]; then
  for entry in "$kube"/* "$kube"/.[!.]*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    case ${entry##*/} in
    *.crt | *.key | *.pem | admin.kubeconfig) continue ;;
    esac
    rm -rf "$entry" || exit 1
    removed=$((removed + 1))
  done
fi
echo "reset: $removed entries of $kube removed, certificates kept"
