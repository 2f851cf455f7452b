#!/usr/bin/env bash
# Install the Debian packages nlbproto needs, only those missing. Idempotent; needs root.
# Names valid on Debian 12 and 13. file: cpack -G DEB (dpkg-shlibdeps).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libpcap-dev libcunit1-dev libglib2.0-dev
      wireshark-dev libwireshark-dev libwiretap-dev tshark tcpdump clang valgrind
      libxml2-utils time iproute2 util-linux python3 jq libclang-rt-dev zstd lz4
      file)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 2
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get install -y -qq --no-install-recommends "${missing[@]}"
