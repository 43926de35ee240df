#!/usr/bin/env bash
# lab.sh - a real Samba AD DC in a network namespace, for cloudtrust tests.
#
#   lab.sh up          provision (once), start the DC, create the test users and
#                      the Kerberos server object (once), read keys, write lab.env
#   lab.sh down        stop the DC (by its recorded PID), remove netns and veth
#   lab.sh destroy     down, then remove the lab directory
#   lab.sh status      say whether the lab is provisioned and running
#                      (exit 0 when provisioned and running, 3 otherwise;
#                      the word "running" appears only when the DC runs)
#   lab.sh rotate-key  give krbtgt_N a new random key, re-read keys, rewrite lab.env
#   lab.sh check       kinit alice + smbclient on netlogon with that ticket
#   lab.sh acquire     (tests) up, and count one more test using the lab
#   lab.sh release     (tests) count one out; the last one out stops a lab
#                      that a test started
#
# Environment: CT_LAB_NS (default ctlab), CT_LAB_DIR (default
# /var/tmp/cloudtrust-lab), CT_LAB_NET (first three octets of the /24, default
# 10.99.0: DC .2, host .1), CT_LAB_START_TIMEOUT (s, default 90),
# CT_LAB_STOP_TIMEOUT (s, default 20), CT_LAB_LOCK_TIMEOUT (s, default 300),
# CT_LAB_PYTHON (default /usr/bin/python3). Labs with different NS, DIR and
# NET can run side by side. See README.md in this directory.
set -euo pipefail

LAB_NS=${CT_LAB_NS:-ctlab}
LAB_DIR=${CT_LAB_DIR:-/var/tmp/cloudtrust-lab}
PY=${CT_LAB_PYTHON:-/usr/bin/python3}
START_TIMEOUT=${CT_LAB_START_TIMEOUT:-90}
STOP_TIMEOUT=${CT_LAB_STOP_TIMEOUT:-20}
LOCK_TIMEOUT=${CT_LAB_LOCK_TIMEOUT:-300}
LAB_NET=${CT_LAB_NET:-10.99.0}

REALM=CORP.EXAMPLE.TEST
DOMAIN=CORP
DNS_DOMAIN=corp.example.test
DC_NAME=dc1
DC_HOST=$DC_NAME.$DNS_DOMAIN
DC_IP=$LAB_NET.2
HOST_IP=$LAB_NET.1
PREFIX=24
VETH_HOST=$LAB_NS-h
VETH_DC=$LAB_NS-d
PORTS=(88 389 636 445)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=lab.sh

SMBCONF=$LAB_DIR/etc/smb.conf
KRB5CONF=$LAB_DIR/krb5.conf
SAMDB=$LAB_DIR/private/sam.ldb
LOGDIR=$LAB_DIR/log
RUNDIR=$LAB_DIR/run
PIDFILE=$RUNDIR/lab-samba.pid
SECRETS=$LAB_DIR/secrets.env
ENVFILE=$LAB_DIR/lab.env
KEYTAB_DIR=$LAB_DIR/keytabs
KRBTGT_KEYTAB=$KEYTAB_DIR/krbtgt.keytab
CIFS_KEYTAB=$KEYTAB_DIR/cifs-$DC_NAME.keytab
RODC_KEYTAB=$KEYTAB_DIR/rodc-krbtgt.keytab
MARK_LAB=$LAB_DIR/.cloudtrust-lab
MARK_PROV=$LAB_DIR/.provisioned
MARK_OBJ=$LAB_DIR/.objects-created
LOCKFILE=/run/lock/cloudtrust-lab.$LAB_NS.lock
WINBINDD_SOCK_DIR=/run/samba/winbindd   # samba's compiled-in default

USERS=(alice bob mallory carol)

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }

need_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, samba)"
}

need_cmds() {
    local c missing=()
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || missing+=("$c")
    done
    ((${#missing[@]} == 0)) || die "missing commands: ${missing[*]}"
    [[ -x $PY ]] || die "python interpreter $PY not found (set CT_LAB_PYTHON)"
}

check_names() {
    [[ $LAB_NS =~ ^[A-Za-z0-9_.-]{1,12}$ ]] ||
        die "CT_LAB_NS='$LAB_NS' must be 1-12 characters [A-Za-z0-9_.-] (veth names derive from it)"
    [[ $LAB_DIR == /* && $LAB_DIR != / && $LAB_DIR =~ ^[A-Za-z0-9_./-]+$ ]] ||
        die "CT_LAB_DIR='$LAB_DIR' must be an absolute path of [A-Za-z0-9_./-], not /"
    [[ $START_TIMEOUT =~ ^[0-9]+$ && $STOP_TIMEOUT =~ ^[0-9]+$ && $LOCK_TIMEOUT =~ ^[0-9]+$ ]] ||
        die "CT_LAB_START_TIMEOUT / CT_LAB_STOP_TIMEOUT / CT_LAB_LOCK_TIMEOUT must be whole seconds"
    [[ $LAB_NET =~ ^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){2}$ ]] ||
        die "CT_LAB_NET='$LAB_NET' must be three octets, e.g. 10.99.0"
}

# One lab.sh at a time changes a given lab (up/down/destroy/rotate-key).
# fd 9 holds the lock; it is closed for samba so the DC never inherits it.
LOCKED=0
take_lock() {
    ((LOCKED)) && return 0
    mkdir -p "$(dirname "$LOCKFILE")"
    exec 9>"$LOCKFILE"
    if ! flock -w "$LOCK_TIMEOUT" 9; then
        die "another lab.sh is working on lab '$LAB_NS' (lock $LOCKFILE held for ${LOCK_TIMEOUT}s)"
    fi
    LOCKED=1
}

# ---------------------------------------------------------------- lab dir

is_provisioned() { [[ -f $MARK_PROV && -f $SAMDB && -f $SMBCONF ]]; }

ensure_lab_dir() {
    if [[ -d $LAB_DIR && ! -f $MARK_LAB ]]; then
        [[ -z $(ls -A "$LAB_DIR") ]] ||
            die "$LAB_DIR exists, is not empty and is not a cloudtrust lab (no $MARK_LAB); refusing to touch it"
    fi
    mkdir -p "$LAB_DIR"
    # smbd serves sysvol/netlogon as the user's mapped uid: the path down to
    # state/sysvol must be traversable (0700 here gives NT_STATUS_ACCESS_DENIED).
    # Secrets live in 0600 files and 0700 directories below.
    chmod 0711 "$LAB_DIR"
    [[ -f $MARK_LAB ]] || echo "cloudtrust lab directory; managed by tests/lab/lab.sh" >"$MARK_LAB"
}

# 24 random alphanumerics between a fixed prefix and suffix, so the password
# always meets AD complexity (upper, lower, digit, other); never contains a
# user name (AD refuses that).
gen_password() {
    local pw u ok raw
    while :; do
        raw=$(head -c 48 /dev/urandom | base64 -w0)
        raw=${raw//[^A-Za-z0-9]/}
        pw="Ct${raw:0:24}-7q"
        ok=1
        for u in administrator "${USERS[@]}"; do
            [[ ${pw,,} == *"$u"* ]] && ok=0
        done
        ((ok)) && ((${#pw} >= 20)) && break
    done
    printf '%s' "$pw"
}

# secrets.env keeps the generated passwords across runs (lab.env is rebuilt).
ensure_secrets() {
    local u var
    # Only the file counts, never stale values from the caller's environment.
    for u in ADMIN "${USERS[@]^^}"; do unset "CT_LAB_${u}_PASSWORD"; done
    (umask 077 && touch "$SECRETS")
    chmod 0600 "$SECRETS"
    # shellcheck disable=SC1090
    . "$SECRETS"
    for u in ADMIN "${USERS[@]^^}"; do
        var=CT_LAB_${u}_PASSWORD
        if [[ -z ${!var:-} ]]; then
            printf '%s=%s\n' "$var" "$(gen_password)" >>"$SECRETS"
        fi
    done
    # shellcheck disable=SC1090
    . "$SECRETS"
}

write_smbconf() {
    local tmp=$SMBCONF.tmp
    mkdir -p "$LOGDIR" "$RUNDIR" "$RUNDIR/ncalrpc"
    cat >"$tmp" <<EOF
# Written by tests/lab/lab.sh after 'samba-tool domain provision'.
# Nothing from the host's /etc/samba/smb.conf; every directory under the lab
# dir except the winbindd socket directory, which stays at its default
# (moving it makes smbd fail session setup with NT_STATUS_INTERNAL_ERROR);
# lab.sh bind-mounts $RUNDIR/winbindd there in the DC's own mount namespace.
[global]
	netbios name = DC1
	workgroup = $DOMAIN
	realm = $REALM
	server role = active directory domain controller
	interfaces = 127.0.0.1 $DC_IP
	bind interfaces only = yes
	server services = -dns
	dns update command = /bin/true
	spn update command = /bin/true
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	private dir = $LAB_DIR/private
	binddns dir = $LAB_DIR/bind-dns
	lock directory = $LAB_DIR
	state directory = $LAB_DIR/state
	cache directory = $LAB_DIR/cache
	pid directory = $RUNDIR
	ncalrpc dir = $RUNDIR/ncalrpc
	log file = $LOGDIR/samba.log
	logging = file
	max log size = 20000
	log level = 1
	ntp signd socket directory = $RUNDIR/ntp_signd

[sysvol]
	path = $LAB_DIR/state/sysvol
	read only = No

[netlogon]
	path = $LAB_DIR/state/sysvol/$DNS_DOMAIN/scripts
	read only = No
EOF
    mv -f "$tmp" "$SMBCONF"
}

write_krb5conf() {
    local tmp=$KRB5CONF.tmp
    cat >"$tmp" <<EOF
# Private krb5.conf for the cloudtrust lab (tests/lab/lab.sh).
# Use with KRB5_CONFIG=$KRB5CONF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	forwardable = true
	ticket_lifetime = 10h

[realms]
	$REALM = {
		kdc = $DC_IP
		admin_server = $DC_IP
		default_domain = $DNS_DOMAIN
	}

[domain_realm]
	.$DNS_DOMAIN = $REALM
	$DNS_DOMAIN = $REALM
EOF
    mv -f "$tmp" "$KRB5CONF"
}

provision() {
    local t0 t1 empty=$LAB_DIR/etc/empty.conf
    say "provisioning $REALM into $LAB_DIR (takes a few seconds)"
    t0=$(now_ms)
    # Remove leftovers of an interrupted provisioning (only our own subdirs).
    rm -rf "${LAB_DIR:?}/private" "$LAB_DIR/state" "$LAB_DIR/cache" "$LAB_DIR/bind-dns" \
        "${LAB_DIR:?}/etc" "$LAB_DIR"/*.tdb "$LAB_DIR/msg.lock" "$LAB_DIR/msg.sock" \
        "$MARK_OBJ" "$KEYTAB_DIR"
    mkdir -p "$LAB_DIR/etc" "$LOGDIR" "$RUNDIR"
    # An empty -s file keeps the host's /etc/samba/smb.conf out of the result.
    : >"$empty"
    if ! samba-tool domain provision -s "$empty" \
        --targetdir="$LAB_DIR" --realm="$REALM" --domain="$DOMAIN" \
        --server-role=dc --dns-backend=SAMBA_INTERNAL \
        --adminpass="$CT_LAB_ADMIN_PASSWORD" --host-name="$DC_NAME" \
        --host-ip="$DC_IP" --option="interfaces=127.0.0.1 $DC_IP" \
        --option="bind interfaces only=yes" \
        >"$LOGDIR/provision.log" 2>&1; then
        tail -n 30 "$LOGDIR/provision.log" >&2 || true
        die "samba-tool domain provision failed; full log: $LOGDIR/provision.log"
    fi
    rm -f "$empty"
    write_smbconf
    t1=$(now_ms)
    echo "$((t1 - t0))" >"$LOGDIR/provision.ms"
    touch "$MARK_PROV"
    say "provisioned in $(((t1 - t0) / 1000)).$(printf '%03d' $(((t1 - t0) % 1000))) s"
}

# ---------------------------------------------------------------- network

netns_exists() { [[ -e /run/netns/$LAB_NS ]]; }

ensure_netns() {
    local other
    netns_exists || ip netns add "$LAB_NS"
    # A leftover host end whose peer is not in our namespace is rebuilt.
    if ip link show dev "$VETH_HOST" >/dev/null 2>&1 &&
        ! ip -n "$LAB_NS" link show dev "$VETH_DC" >/dev/null 2>&1; then
        ip link del dev "$VETH_HOST"
    fi
    if ! ip link show dev "$VETH_HOST" >/dev/null 2>&1; then
        other=$(ip -o -4 addr show to "$HOST_IP/32" | awk '{print $2}' | head -n 1)
        [[ -z $other ]] || die "$HOST_IP is already configured on host interface $other"
        ip link add "$VETH_HOST" type veth peer name "$VETH_DC" netns "$LAB_NS"
    fi
    ip addr replace "$HOST_IP/$PREFIX" dev "$VETH_HOST"
    ip link set dev "$VETH_HOST" up
    ip -n "$LAB_NS" link set dev lo up
    ip -n "$LAB_NS" addr replace "$DC_IP/$PREFIX" dev "$VETH_DC"
    ip -n "$LAB_NS" link set dev "$VETH_DC" up
}

remove_netns() {
    if ip link show dev "$VETH_HOST" >/dev/null 2>&1; then
        ip link del dev "$VETH_HOST"
    fi
    if netns_exists; then
        ip netns del "$LAB_NS"
    fi
}

# ---------------------------------------------------------------- samba process

# PID of our running DC, from the PID file: alive, /usr/sbin/samba, and
# either with this lab's winbindd directory mounted in its mount namespace or
# inside our network namespace (so a reused PID is never mistaken for ours).
# Nothing else is ever signalled.
samba_pid() {
    local pid exe
    [[ -r $PIDFILE ]] || return 1
    pid=$(<"$PIDFILE")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    [[ ${exe% (deleted)} == */samba ]] || return 1
    if [[ $(stat -L -c %d:%i "/proc/$pid/root$WINBINDD_SOCK_DIR" 2>/dev/null) == \
        "$(stat -L -c %d:%i "$RUNDIR/winbindd" 2>/dev/null)" ]]; then
        :
    elif netns_exists && [[ $(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) == \
        "$(stat -L -c %i "/run/netns/$LAB_NS")" ]]; then
        :
    else
        return 1
    fi
    printf '%s\n' "$pid"
}

port_open() { timeout 2 bash -c ": </dev/tcp/$DC_IP/$1" 2>/dev/null; }

all_ports_open() {
    local p
    for p in "${PORTS[@]}"; do port_open "$p" || return 1; done
}

show_log_tail() {
    say "last lines of $LOGDIR/samba.log:"
    tail -n 40 "$LOGDIR/samba.log" >&2 2>/dev/null || true
    if [[ -s $LOGDIR/samba.stdout ]]; then
        say "last lines of $LOGDIR/samba.stdout:"
        tail -n 20 "$LOGDIR/samba.stdout" >&2 || true
    fi
}

start_samba() {
    local pid i
    if pid=$(samba_pid); then
        say "DC already running (pid $pid)"
        return 0
    fi
    rm -f "$PIDFILE" "$PIDFILE.new"
    mkdir -p "$LOGDIR" "$RUNDIR"
    say "starting samba in netns $LAB_NS"
    # The inner sh records its own PID, then execs (ip netns exec execs too),
    # so the recorded PID is samba's. setsid: not tied to the caller's terminal.
    # The winbindd socket must stay at its compiled-in path (smbd fails
    # session setup otherwise), but a private mount namespace gives this DC
    # its own directory there: labs side by side do not share one socket, and
    # the host's /run/samba/winbindd is left alone. Every exec keeps the PID.
    mkdir -p "$WINBINDD_SOCK_DIR" "$RUNDIR/winbindd"
    chmod 0755 "$RUNDIR/winbindd"
    # shellcheck disable=SC2016
    setsid unshare --mount --propagation private \
        sh -c 'echo $$ >"$0" && mount --bind "$4" "$5" &&
               exec ip netns exec "$1" samba -s "$2" -F --no-process-group' \
        "$PIDFILE.new" "$LAB_NS" "$SMBCONF" unused "$RUNDIR/winbindd" "$WINBINDD_SOCK_DIR" \
        </dev/null >>"$LOGDIR/samba.stdout" 2>&1 9>&- &
    for ((i = 0; i < 50; i++)); do
        [[ -s $PIDFILE.new ]] && break
        sleep 0.1
    done
    [[ -s $PIDFILE.new ]] || die "samba did not start (no PID recorded)"
    mv -f "$PIDFILE.new" "$PIDFILE"
}

wait_ready() {
    local deadline pid raw
    deadline=$((SECONDS + START_TIMEOUT))
    raw=$(cat "$PIDFILE" 2>/dev/null || true)
    while :; do
        if ! pid=$(samba_pid); then
            # Right after the start the recorded process may still be the
            # sh/unshare that execs into samba a moment later.
            if [[ -n $raw && -d /proc/$raw ]] && ((SECONDS < deadline)); then
                sleep 0.1
                continue
            fi
            show_log_tail
            die "samba exited during startup"
        fi
        all_ports_open && break
        if ((SECONDS >= deadline)); then
            show_log_tail
            die "DC (pid $pid) did not answer on ports ${PORTS[*]} of $DC_IP within ${START_TIMEOUT}s"
        fi
        sleep 0.2
    done
}

# Signal PIDs with TERM, wait up to STOP_TIMEOUT, then KILL what is left.
stop_pids() {
    local deadline p left
    (($# > 0)) || return 0
    kill -TERM "$@" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while :; do
        left=()
        for p in "$@"; do
            [[ -d /proc/$p ]] && left+=("$p")
        done
        ((${#left[@]} == 0)) && return 0
        if ((SECONDS >= deadline)); then
            say "still running after ${STOP_TIMEOUT}s, sending KILL: ${left[*]}"
            kill -KILL "${left[@]}" 2>/dev/null || true
            sleep 0.5
            return 0
        fi
        sleep 0.1
    done
}

stop_samba() {
    local pid rest
    if pid=$(samba_pid); then
        say "stopping samba (pid $pid)"
        stop_pids "$pid"
    fi
    rm -f "$PIDFILE" "$PIDFILE.new"
    # Whatever still runs inside our namespace was started by the lab (samba's
    # children); stop those too, by PID, before the namespace goes away.
    if netns_exists; then
        rest=$(ip netns pids "$LAB_NS" 2>/dev/null | tr '\n' ' ')
        if [[ -n ${rest// /} ]]; then
            say "stopping leftover processes in netns $LAB_NS: $rest"
            # shellcheck disable=SC2086
            stop_pids $rest
        fi
    fi
}

# ---------------------------------------------------------------- objects, keys, env

create_objects() {
    say "creating users, groups and the Kerberos server object over LDAP"
    if ! CT_LAB_ADMIN_PASSWORD=$CT_LAB_ADMIN_PASSWORD \
        CT_LAB_ALICE_PASSWORD=$CT_LAB_ALICE_PASSWORD \
        CT_LAB_BOB_PASSWORD=$CT_LAB_BOB_PASSWORD \
        CT_LAB_MALLORY_PASSWORD=$CT_LAB_MALLORY_PASSWORD \
        CT_LAB_CAROL_PASSWORD=$CT_LAB_CAROL_PASSWORD \
        "$PY" "$HERE/labsetup.py" --smbconf "$SMBCONF" --url "ldap://$DC_IP" >&2; then
        die "creating the lab objects failed (see above)"
    fi
    touch "$MARK_OBJ"
}

# lab.env lines are NAME=value, or NAME='value' when the value has a space,
# comma or $ (DNs, DC1$). Values never hold quotes, backslashes or backticks,
# so the file is shell-sourceable and trivially parseable.
env_line() {
    if [[ $2 =~ ^[A-Za-z0-9_./:@+=-]*$ ]]; then
        printf '%s=%s\n' "$1" "$2"
    elif [[ $2 =~ ^[A-Za-z0-9_./:@+=,\ \$-]*$ ]]; then
        printf "%s='%s'\n" "$1" "$2"
    else
        die "unsafe value for $1 in lab.env"
    fi
}

write_env() {
    local keys tmp=$ENVFILE.tmp u U
    mkdir -p "$KEYTAB_DIR"
    chmod 0700 "$KEYTAB_DIR"
    keys=$("$PY" "$HERE/labkeys.py" --samdb "$SAMDB" --smbconf "$SMBCONF" --lab-env \
        --krbtgt-keytab "$KRBTGT_KEYTAB" --cifs-keytab "$CIFS_KEYTAB" \
        --rodc-keytab "$RODC_KEYTAB") ||
        die "reading keys and SIDs from $SAMDB failed"
    (umask 077 && : >"$tmp")
    {
        echo "# cloudtrust lab environment, written by tests/lab/lab.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "# Source with: set -a; . $ENVFILE; set +a"
        env_line CT_LAB_DIR "$LAB_DIR"
        env_line CT_LAB_NS "$LAB_NS"
        env_line CT_LAB_REALM "$REALM"
        env_line CT_LAB_DOMAIN "$DOMAIN"
        env_line CT_LAB_DNS_DOMAIN "$DNS_DOMAIN"
        env_line CT_LAB_NET "$LAB_NET"
        env_line CT_LAB_DC_IP "$DC_IP"
        env_line CT_LAB_HOST_IP "$HOST_IP"
        env_line CT_LAB_DC_HOST "$DC_HOST"
        env_line CT_LAB_DC_NETBIOS DC1
        env_line CT_LAB_KRB5_CONFIG "$KRB5CONF"
        env_line CT_LAB_SMB_CONF "$SMBCONF"
        env_line CT_LAB_SAMDB "$SAMDB"
        env_line CT_LAB_PYTHON "$PY"
        env_line CT_LAB_ADMIN_PASSWORD "$CT_LAB_ADMIN_PASSWORD"
        env_line CT_LAB_ADMINISTRATOR_PASSWORD "$CT_LAB_ADMIN_PASSWORD"
        for u in "${USERS[@]}"; do
            U=${u^^}
            local var=CT_LAB_${U}_PASSWORD
            env_line "$var" "${!var}"
        done
        env_line CT_LAB_KRBTGT_KEYTAB "$KRBTGT_KEYTAB"
        env_line CT_LAB_CIFS_KEYTAB "$CIFS_KEYTAB"
        env_line CT_LAB_CIFS_PRINCIPAL "cifs/$DC_HOST@$REALM"
        env_line CT_LAB_RODC_KEYTAB "$RODC_KEYTAB"
        # From labkeys.py: SIDs, names, RODC number, keys, key versions.
        while IFS= read -r line; do
            [[ $line =~ ^(CT_LAB_[A-Z0-9_]+)=(.*)$ ]] || die "unexpected labkeys.py output line"
            env_line "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        done <<<"$keys"
    } >"$tmp"
    chmod 0600 "$tmp"
    mv -f "$tmp" "$ENVFILE"
}

env_get() { sed -n "s/^$1=//p" "$ENVFILE" | sed "s/^'\\(.*\\)'\$/\\1/"; }

# ---------------------------------------------------------------- commands

cmd_up() {
    local t0 t1 pid
    t0=$(now_ms)
    need_root
    need_cmds ip samba samba-tool setsid timeout stat flock unshare mount
    take_lock
    ensure_lab_dir
    ensure_secrets
    is_provisioned || provision
    write_smbconf
    write_krb5conf
    ensure_netns
    start_samba
    wait_ready
    [[ -f $MARK_OBJ ]] || create_objects
    write_env
    pid=$(samba_pid)
    t1=$(now_ms)
    say "lab up: DC $DC_HOST ($DC_IP) pid $pid; RODC krbtgt_$(env_get CT_LAB_RODC_N) key version $(env_get CT_LAB_RODC_KEY_VERSION); $((t1 - t0)) ms"
    say "environment: $ENVFILE"
}

cmd_down() {
    need_root
    take_lock
    stop_samba
    remove_netns
    # A stopped lab has no users: forget counts a crashed test left behind.
    rm -f "$USERS_FILE" "$AUTO_MARK"
    say "lab down"
}

cmd_destroy() {
    need_root
    cmd_down
    if [[ -d $LAB_DIR ]]; then
        if [[ -f $MARK_LAB || -z $(ls -A "$LAB_DIR") ]]; then
            rm -rf "$LAB_DIR"
            say "removed $LAB_DIR"
        else
            die "$LAB_DIR is not a cloudtrust lab directory (no $MARK_LAB); not removing it"
        fi
    fi
}

# Tests share one lab.  acquire brings it up and counts the test in;
# release counts it out and, when the last test leaves, stops the lab if a
# test started it (a lab someone started by hand stays up).
USERS_FILE=$LAB_DIR/.test-users
AUTO_MARK=$LAB_DIR/.started-by-tests

cmd_acquire() {
    local n auto=0
    need_root
    take_lock
    samba_pid >/dev/null 2>&1 || auto=1
    cmd_up
    ((auto)) && touch "$AUTO_MARK"
    n=$(cat "$USERS_FILE" 2>/dev/null || echo 0)
    echo $((n + 1)) >"$USERS_FILE"
}

cmd_release() {
    local n
    need_root
    take_lock
    n=$(cat "$USERS_FILE" 2>/dev/null || echo 0)
    ((n > 0)) && n=$((n - 1))
    echo "$n" >"$USERS_FILE"
    if ((n == 0)) && [[ -f $AUTO_MARK ]]; then
        rm -f "$AUTO_MARK"
        cmd_down
    fi
}

cmd_status() {
    local pid rc=0 p line
    if is_provisioned; then echo "provisioned: yes ($LAB_DIR)"; else echo "provisioned: no ($LAB_DIR)"; rc=3; fi
    echo "network: DC $DC_IP, host $HOST_IP (veth $VETH_HOST)"
    if netns_exists; then echo "netns: $LAB_NS present"; else echo "netns: $LAB_NS absent"; fi
    if pid=$(samba_pid); then
        echo "dc: running (samba pid $pid)"
        line=
        for p in "${PORTS[@]}"; do
            if port_open "$p"; then line+=" $p:open"; else line+=" $p:closed"; fi
        done
        echo "ports:$line"
    else
        echo "dc: stopped"
        rc=3
    fi
    if [[ -f $ENVFILE ]]; then
        echo "env: $ENVFILE (RODC N=$(env_get CT_LAB_RODC_N), key version $(env_get CT_LAB_RODC_KEY_VERSION))"
    fi
    return "$rc"
}

cmd_rotate_key() {
    local acct before after
    need_root
    take_lock
    is_provisioned || die "lab not provisioned; run: $0 up"
    [[ -f $MARK_OBJ && -f $ENVFILE ]] || die "no Kerberos server object yet; run: $0 up"
    ensure_secrets
    acct=$(env_get CT_LAB_RODC_ACCOUNT)
    before=$(env_get CT_LAB_RODC_KEY_VERSION)
    [[ $acct =~ ^krbtgt_[0-9]+$ ]] || die "bad CT_LAB_RODC_ACCOUNT '$acct' in $ENVFILE"
    say "setting a new random password on $acct"
    samba-tool user setpassword "$acct" --random-password \
        -H "$SAMDB" -s "$SMBCONF" >"$LOGDIR/rotate.log" 2>&1 ||
        { cat "$LOGDIR/rotate.log" >&2; die "samba-tool user setpassword failed"; }
    write_env
    after=$(env_get CT_LAB_RODC_KEY_VERSION)
    ((after > before)) || die "key version did not increase ($before -> $after)"
    say "$acct key version $before -> $after"
    echo "$after"
}

cmd_check() {
    local cc out
    [[ -f $ENVFILE ]] || die "no $ENVFILE; run: $0 up"
    samba_pid >/dev/null || die "DC is not running; run: $0 up"
    need_cmds kinit klist smbclient
    cc=$(mktemp /tmp/ctlab-cc.XXXXXX)
    chmod 0600 "$cc"
    # shellcheck disable=SC2064
    trap "rm -f '$cc'" EXIT
    env_get CT_LAB_ALICE_PASSWORD |
        KRB5_CONFIG=$KRB5CONF KRB5CCNAME=FILE:$cc kinit "alice@$REALM" >/dev/null ||
        die "kinit alice failed"
    KRB5_CONFIG=$KRB5CONF KRB5CCNAME=FILE:$cc klist
    out=$(KRB5_CONFIG=$KRB5CONF KRB5CCNAME=FILE:$cc smbclient "//$DC_HOST/netlogon" -I "$DC_IP" \
        --use-kerberos=required -N -c ls 2>&1) || { echo "$out" >&2; die "smbclient failed"; }
    echo "$out"
    echo "check: OK"
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'
    exit 2
}

main() {
    check_names
    case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    destroy) cmd_destroy ;;
    status) cmd_status ;;
    rotate-key) cmd_rotate_key ;;
    acquire) cmd_acquire ;;
    release) cmd_release ;;
    check) cmd_check ;;
    -h | --help | help) usage ;;
    *) usage ;;
    esac
}

main "$@"
