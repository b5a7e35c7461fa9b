#!/bin/sh
# Installs the Debian packages that berthd and the test suites need. As root it uses apt-get;
# otherwise it says exactly what is missing and how to install it.
set -u

# command:package pairs
needs="runc:runc crun:crun conmon:conmon busybox:busybox-static iptables:iptables mount:mount setfattr:attr getfattr:attr tar:tar ps:procps tini-static:tini ip:iproute2"
# Test-only tools: the reference dockerd, docker-compose, Chromium, etcd (the orchestrator store's backend).
test_needs="dockerd:docker.io docker-compose:docker-compose docker-registry:docker-registry htpasswd:apache2-utils chromium:chromium etcd:etcd-server dropbear:dropbear-bin dropbearkey:dropbear-bin"
# The VM (qemu provider, `npm run vm:image`): qemu, qemu-img, and squashfs-tools for the root filesystem;
# the aarch64 image's addons are compiled with Debian's cross compiler, and it boots in qemu-system-arm.
# Also for the tests (the vm suite boots it); elsewhere with BERTH_SETUP_VM=1.
vm_needs="qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils mksquashfs:squashfs-tools xz:xz-utils aarch64-linux-gnu-g++:g++-aarch64-linux-gnu qemu-system-aarch64:qemu-system-arm"

missing=""
for pair in $needs ${BERTH_SETUP_TESTS:+$test_needs} ${BERTH_SETUP_TESTS:+$vm_needs} ${BERTH_SETUP_VM:+$vm_needs}; do
  cmd=${pair%%:*}
  pkg=${pair##*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "/usr/bin/$cmd" ]; then
    case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
  fi
done
if [ -z "$missing" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "berth setup: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  # docker.io must not start its own daemon on the default socket during install.
  if ! apt-get install -y -qq --no-install-recommends $missing >/tmp/berth-setup.log 2>&1; then
    echo "berth setup: apt-get install failed; see /tmp/berth-setup.log" >&2
    tail -20 /tmp/berth-setup.log >&2
    exit 1
  fi
  exit 0
fi
echo "berth setup: missing Debian packages:$missing" >&2
echo "install them with: sudo apt-get install$missing" >&2
exit 1
