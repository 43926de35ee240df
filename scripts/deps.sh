#!/usr/bin/env bash
# Installs the Debian 12 packages cloudtrust needs to build and test.
# Skips apt entirely when everything is already installed.
set -euo pipefail

PKGS=(
	ca-certificates gcc clang meson ninja-build pkg-config
	libkrb5-dev krb5-user libjansson-dev libssl-dev libsqlite3-dev
	libmicrohttpd-dev liboath-dev libargon2-dev oathtool python3-cryptography python3-requests
	libcurl4-openssl-dev libldap-dev libsasl2-modules-gssapi-mit
	samba samba-dsdb-modules samba-vfs-modules winbind python3-samba
	python3-impacket smbclient tshark iproute2 procps
	libsystemd-dev
	libtss2-dev libtss2-tcti-swtpm0 swtpm
	libpam0g-dev pamtester systemd
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) -ne 0 ]]; then
	echo "deps.sh: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
