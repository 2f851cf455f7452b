#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deb.sh BUILD_DIR PLUGIN_DIR SRC_DIR: build the .deb with cpack, check what it holds, compile
# against its pkg-config file; with NLB_DEB_INSTALL=1 (as root) install it, run tshark and
# nlbreplay from it, and remove it again. PLUGIN_DIR empty: the tree has no plugin.
set -u
build=$1 plugin_dir=$2 src=$3
for t in cpack dpkg-deb cc pkg-config; do
    command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not found (apt-get install cmake dpkg-dev)"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nlb-deb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

if ! (cd "$build" && cpack -G DEB -B "$tmp/out") > "$tmp/cpack.log" 2>&1; then
    echo "FAIL cpack -G DEB:"; sed 's/^/  /' "$tmp/cpack.log" | tail -20; exit 1
fi
deb=$(ls "$tmp"/out/nlbproto_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL cpack made no nlbproto_*.deb"; ls "$tmp/out"; exit 1; }
ok "cpack made $(basename "$deb")"

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's,^\./,/,' > "$tmp/files"
want="/usr/bin/nlbreplay /usr/share/man/man1/nlbreplay.1 /usr/lib/libnlbproto.a
      /usr/lib/pkgconfig/nlbproto.pc /usr/include/nlbproto/nlbproto.h"
[ -n "$plugin_dir" ] && want="$want $plugin_dir/nlb.so"
for f in $want; do
    if grep -qx "$f" "$tmp/files"; then ok "holds $f"; else bad "lacks $f"; fi
done
deps=$(dpkg-deb -f "$deb" Depends)
# Debian 13 renamed some runtime packages (libpcap0.8t64): match the name's stem
for d in libc6 libpcap0.8; do
    case $deps in "$d "*|*" $d "*|*" $d"t64*|"$d"t64*) ok "Depends on $d" ;; *) bad "Depends lacks $d: $deps" ;; esac
done
if [ -n "$plugin_dir" ]; then
    case $deps in *libwireshark[0-9]*) ok "Depends on $(echo "$deps" | grep -o 'libwireshark[0-9]*[^,]*')" ;;
                  *) bad "Depends lacks libwireshark: $deps" ;; esac
fi

# The pkg-config file must lead a compiler to the packaged headers and library wherever the
# package's tree is unpacked (here: not under /usr).
dpkg-deb -x "$deb" "$tmp/root"
cat > "$tmp/use.c" <<'C'
#include <stdio.h>
#include <nlbproto/nlbproto.h>
int main(void) { nlb_heartbeat hb; printf("%d\n", nlb_hb_decode((const unsigned char *)"", 0, &hb) == NLB_OK); return 0; }
C
flags=$(PKG_CONFIG_PATH="$tmp/root/usr/lib/pkgconfig" pkg-config --cflags --libs nlbproto 2>&1)
if cc -o "$tmp/use" "$tmp/use.c" $flags > "$tmp/cc.log" 2>&1 && [ "$("$tmp/use")" = 0 ]; then
    ok "compiles and links with pkg-config --cflags --libs nlbproto ($flags)"
else
    bad "compile against the packaged library failed ($flags):"; sed 's/^/  /' "$tmp/cc.log" | head -10
fi

if [ "${NLB_DEB_INSTALL:-0}" = 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then echo "FAIL NLB_DEB_INSTALL=1 needs root"; exit 1; fi
    cp "$deb" "$tmp/root.deb" && chmod a+r "$tmp/root.deb"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tmp/root.deb" > "$tmp/apt.log" 2>&1; then
        ok "apt-get install $(basename "$deb")"
        p=$(command -v nlbreplay)
        [ "$p" = /usr/bin/nlbreplay ] && ok "nlbreplay on PATH: $p" || bad "nlbreplay on PATH is '$p', not /usr/bin/nlbreplay"
        out=$(cd / && nlbreplay --format json "$src/captures/incident.pcap" 2>&1)
        case $out in *'"NLB-001"'*) ok "installed nlbreplay reports NLB-001 on captures/incident.pcap" ;;
                     *) bad "installed nlbreplay on incident.pcap:"; printf '%s\n' "$out" | head -5 ;; esac
        man -w nlbreplay >/dev/null 2>&1 || [ -f /usr/share/man/man1/nlbreplay.1 ] && ok "man page installed" || bad "no man page"
        if [ -n "$plugin_dir" ]; then
            # as root tshark still loads the global plugin directory, which is where the package put it
            line=$(tshark -G plugins 2>/dev/null | grep '^nlb\.so')
            case $line in *"$plugin_dir/nlb.so"*) ok "tshark -G plugins: $line" ;;
                          *) bad "tshark -G plugins does not list $plugin_dir/nlb.so: '$line'" ;; esac
            n=$(tshark -r "$src/captures/msnlb.pcap" -Y nlb 2>/dev/null | grep -c .)
            [ "$n" = 2 ] && ok "installed plugin: -Y nlb matches the 2 heartbeats of msnlb.pcap" || bad "-Y nlb matched $n frames, expected 2"
        fi
    else
        bad "apt-get install failed:"; tail -10 "$tmp/apt.log" | sed 's/^/  /'
    fi
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq nlbproto > "$tmp/rm.log" 2>&1 || bad "apt-get remove nlbproto failed"
    [ ! -e /usr/bin/nlbreplay ] && ok "removed again" || bad "/usr/bin/nlbreplay left after removal"
fi
[ $fail -eq 0 ] && echo "PASS package_deb" || echo "FAILED package_deb"
exit $fail
