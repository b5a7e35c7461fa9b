#!/bin/sh
# The guest's boot (busybox init's sysinit): kernel filesystems and cgroup v2, the machine's
# configuration from fw_cfg, the data disk, the network, the clock, the shared folder and the SSH
# server. berthd and the readiness report follow as init's own entries (/etc/inittab). Each step
# says on the progress port that it began; one that fails says why and the boot goes on.
. /opt/berth/init/lib.sh

mkdir -p /dev/pts /dev/shm /run/berth /var/log/berth /tmp
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
# Pure cgroup v2, every controller handed down to the engine's containers.
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
controllers=$(sed 's/[^ ][^ ]*/+&/g' /sys/fs/cgroup/cgroup.controllers)
echo "$controllers" > /sys/fs/cgroup/cgroup.subtree_control || fail init "cannot enable cgroup controllers: $controllers"
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
ip link set lo up

# The machine's configuration: shell assignments the host wrote and quoted (qemu -fw_cfg
# name=opt/berth/config.env; vm/machine/guest-env.ts).
raw=/sys/firmware/qemu_fw_cfg/by_name/opt/berth/config.env/raw
if [ -r "$raw" ]; then
  cat "$raw" > "$CONFIG_ENV"
else
  fail init "no machine configuration at $raw"
fi
load_config

# The engine's modules (bridge, netfilter…) load while the boot goes on; berthd.sh waits for them.
(
  for m in $(cat /etc/berth/modules-engine); do
    modprobe "$m" || fail modules "cannot load $m"
  done
  # The ACPI power button (the provider's graceful stop) runs /etc/acpi/PWRF/00000080: poweroff.
  acpid -c /etc/acpi -l /var/log/acpid.log
  touch /run/berth/modules-engine.done
) &
for m in $(cat /etc/berth/modules-early); do
  modprobe "$m" || fail modules "cannot load $m"
done
for m in $(cat /etc/berth/modules-cpu); do
  modprobe -q "$m" 2>/dev/null
done

# berthd's files are read from the compressed root while the boot goes on, on the other CPU (after
# the early modules, which come from the same root): under TCG, decompressing them as berthd starts
# would add about a second to its start.
cat /opt/berth/node/bin/node /opt/berth/berthd/berthd.js /opt/berth/berthd/node_modules/*/build/Release/*.node > /dev/null 2>&1 &

stage data-disk looking for the disk berth-data
DATA=/var/lib/berth
mkdir -p "$DATA"
if disk=$(disk_by_serial berth-data); then
  # A new machine's disk reads as zeros: only then is it formatted (never a disk with data on it).
  if [ "$(dd if="$disk" bs=1M count=4 2>/dev/null | tr -d '\0' | wc -c)" = 0 ]; then
    stage data-disk formatting "$disk" as ext4
    mkfs.ext4 -q -F -L berth-data -m 0 -E nodiscard,lazy_itable_init=1,lazy_journal_init=1 "$disk" ||
      fail data-disk "mkfs.ext4 $disk failed"
  fi
  e2fsck -p "$disk" > /run/berth/e2fsck.log 2>&1
  [ $? -le 2 ] || fail data-disk "e2fsck $disk: $(tail -n 1 /run/berth/e2fsck.log)"
  if mount -t ext4 -o discard,noatime "$disk" "$DATA"; then
    # The provider may have grown the disk since the last boot: the filesystem follows, online.
    resize2fs "$disk" > /run/berth/resize2fs.log 2>&1 || fail data-disk "resize2fs $disk: $(tail -n 1 /run/berth/resize2fs.log)"
    # Blocks freed while discard was off (or before this boot) go back to the host a minute after the
    # boot (not during it: under TCG a trim of the whole disk slowed berthd's start), then hourly.
    (
      sleep 60
      fstrim "$DATA"
      while sleep 3600; do fstrim "$DATA"; done
    ) > /dev/null 2>&1 &
    stage data-disk "$disk mounted at $DATA ($(df -h "$DATA" | awk 'NR==2 {print $2}'))"
  else
    fail data-disk "cannot mount $disk at $DATA"
  fi
else
  fail data-disk "no disk with serial berth-data; $DATA is in memory"
fi

stage network user-mode: 10.0.2.15/24 via 10.0.2.2, DNS 10.0.2.3
# qemu's user-mode network: fixed addresses, no DHCP round trip.
eth=
for n in /sys/class/net/*; do
  [ -e "$n/device" ] && eth=${n##*/} && break
done
if [ -n "$eth" ]; then
  ip link set "$eth" up &&
    ip addr add 10.0.2.15/24 dev "$eth" &&
    ip route add default via 10.0.2.2 ||
    fail network "cannot configure $eth"
  echo 'nameserver 10.0.2.3' > /etc/resolv.conf
else
  fail network "no network interface"
fi

hostname "${BERTH_HOSTNAME:-berth}"
hostname > /etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname)" > /etc/hosts

stage clock set from the machine configuration
if [ -n "$BERTH_TIME_S" ] && [ "$BERTH_TIME_S" -gt "$(date +%s)" ]; then
  date -u -s "@$BERTH_TIME_S" > /dev/null || fail clock "cannot set the clock to $BERTH_TIME_S"
fi

if [ -n "$BERTH_SHARE_PATH" ]; then
  stage share "$BERTH_SHARE_TYPE $BERTH_SHARE_TAG at $BERTH_SHARE_PATH"
  mkdir -p "$BERTH_SHARE_PATH"
  case "$BERTH_SHARE_TYPE" in
    virtiofs) modprobe virtiofs && mount -t virtiofs "$BERTH_SHARE_TAG" "$BERTH_SHARE_PATH" ;;
    *) modprobe 9pnet_virtio && modprobe 9p && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap "$BERTH_SHARE_TAG" "$BERTH_SHARE_PATH" ;;
  esac || fail share "cannot mount $BERTH_SHARE_TYPE $BERTH_SHARE_TAG at $BERTH_SHARE_PATH"
fi

stage sshd dropbear on port 22
# The host key is made once per machine and kept on its data disk.
keydir=$DATA/ssh
mountpoint -q "$DATA" || keydir=/run/berth/ssh
mkdir -p "$keydir" /root/.ssh
chmod 700 "$keydir" /root /root/.ssh
key=$keydir/dropbear_ed25519_host_key
[ -s "$key" ] || dropbearkey -t ed25519 -f "$key" > /dev/null 2>&1 || fail sshd "cannot make a host key"
if [ -n "$BERTH_SSH_KEY" ]; then
  printf '%s\n' "$BERTH_SSH_KEY" > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
else
  fail sshd "the configuration has no sshAuthorizedKey: nobody can log in"
fi
# -s: keys only; -F -E: in the foreground, its log in a file (no syslog here). It outlives this script.
# -W: a 2 MiB receive window per channel, not the default 24 KiB, which at TCG's round trips held a
# forwarded port to ~5 MiB/s (14 MiB/s with it).
dropbear -F -E -s -r "$key" -p 22 -W 2097152 -P /run/dropbear.pid >> /var/log/dropbear.log 2>&1 &
exit 0
