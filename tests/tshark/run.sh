#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tshark tests of the nlb plugin: run.sh loaded|msnlb|synthetic|golden|twopass|scenarios|vlan|expert
# Environment (set by CMakeLists.txt): NLB_PLUGIN, NLB_WS_VERSION, NLB_TSHARK, NLB_SRC, NLB_TEST_DIR.
# NLB_GOLDEN_UPDATE=1 rewrites golden/*.txt instead of comparing (review the diff by eye).
#
# tshark exits 0 even when a plugin fails to load, and as root it ignores personal plugin
# directories: every test therefore installs the plugin into a throw-away personal directory,
# runs tshark as an unprivileged user and first proves the plugin is really there.
set -u
what=${1:-loaded}
src=${NLB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
tdir=${NLB_TEST_DIR:-$src/tests/tshark}
. "$tdir/sandbox.sh"
nlb_sandbox "$src"/captures/*.pcap "$tdir"/data/*.pcap "$tdir"/data/*.rules

fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1"; printf '  expected: %s\n  got:      %s\n' "$2" "$3"; fi
}
# count FILTER FILE: frames matching a display filter
count() { ts -r "$tmp/cap/$2" -Y "$1" 2>&1 | grep -c . ; }
# fields FILE FILTER FIELD...: -T fields output, one line per frame. Booleans read 1/0: tshark
# 4.0 prints an FT_BOOLEAN field as 1/0, 4.4 as True/False.
fields() {
    f=$1; flt=$2; shift 2
    args=
    for e in "$@"; do args="$args -e $e"; done
    # shellcheck disable=SC2086
    ts -r "$tmp/cap/$f" -Y "$flt" -T fields -E separator='|' $args 2>&1 | booleans
}
booleans() { sed -E ':a; s/(^|[|,])True($|[|,])/\11\2/; ta; :b; s/(^|[|,])False($|[|,])/\10\2/; tb'; }
# golden_view: what a golden compares. The nlb trees in full; of the layers Wireshark owns (frame,
# eth, ...) only their summary line, whose details change between releases (4.4 adds "UTC Arrival
# Time" and "[Stream index]" and drops the Address sub-lines of eth).
golden_view() {
    awk '/^[^ ]/ { own = ($0 ~ /^\[?Microsoft NLB \(nlbproto\)/) ; print; next } own { print }'
}
have_cap() { [ -f "$tmp/cap/$1" ]; }

t_loaded() {
    out=$(ts -G plugins 2>&1)
    if printf '%s\n' "$out" | grep -q "^nlb\.so.*$pdir/nlb\.so"; then
        ok "plugin loaded from $pdir"
    else
        bad "plugin not loaded (tshark -G plugins):"
        printf '%s\n' "$out" | sed 's/^/  /' | head -20
        ts -r /dev/null 2>&1 | sed 's/^/  stderr: /' | head -5
        exit 1
    fi
}

t_loaded() {
    ts -G fields > "$tmp/fields" 2>/dev/null
    n=$(grep -c "$(printf '^F.*\tnlb\\.')" "$tmp/fields")
    if [ "$n" -ge 60 ]; then ok "tshark -G fields lists $n nlb.* fields"; else bad "only $n nlb.* fields registered"; fi
    check "protocol names" "Microsoft NLB (nlbproto)|NLB (nlbproto)|nlb" \
        "$(ts -G protocols 2>/dev/null | awk -F '\t' '$3 == "nlb" { print $1 "|" $2 "|" $3 }')"
    for f in nlb.hb.signature nlb.hb.kind nlb.hb.version nlb.hb.priority nlb.hb.cluster_ip nlb.hb.dedicated_ip \
             nlb.hb.my_host_id nlb.hb.default_host_id nlb.hb.conv_state nlb.hb.rules nlb.hb.host_code \
             nlb.hb.packets nlb.hb.teaming nlb.hb.teaming.active nlb.hb.teaming.master nlb.hb.teaming.reverse \
             nlb.hb.teaming.participants nlb.hb.teaming.xor nlb.hb.rule nlb.hb.rule.index nlb.hb.rule.code \
             nlb.hb.rule.start_port nlb.hb.rule.end_port nlb.hb.map.current nlb.hb.map.new nlb.hb.map.idle \
             nlb.hb.map.ready nlb.hb.bins_owned nlb.hb.bins nlb.hb.rule.weight nlb.hb.host_name nlb.hb.address \
             nlb.hb.truncated nlb.mac.kind nlb.mac.vip nlb.mac.priority nlb.mac.confirmed nlb.garp nlb.rarp \
             nlb.flow.bin nlb.flow.predicted_host nlb.flow.rule nlb.flow.observed_host; do
        grep -q "$(printf '^F\t[^\t]*\t%s\t' "$f")" "$tmp/fields" || bad "field $f not registered"
    done
    ok "every documented field name is registered"
    check "stats tree registered" "1" "$(ts -z help 2>&1 | grep -c '^ *nlb,tree$')"
    # 4.2 and later take the type from plugin_describe() and print "unknown" without it.
    check "tshark -G plugins: type of nlb.so" "dissector" \
        "$(ts -G plugins 2>/dev/null | awk -F '\t' '$1 ~ /^nlb\.so/ { gsub(/ /, "", $3); print $3 }')"
}

t_msnlb() {
    f=msnlb.pcap
    check "heartbeat fields" \
"eth:ethertype:nlb:msnlb|2|192.168.100.80|192.168.100.82|1|0|1|9|1329324853|80268987|0x00000000
eth:ethertype:nlb:msnlb|1|192.168.100.80|192.168.100.81|0|0|1|9|1329324767|40178855|0x00000000" \
        "$(fields $f nlb frame.protocols nlb.hb.priority nlb.hb.cluster_ip nlb.hb.dedicated_ip nlb.hb.my_host_id \
            nlb.hb.default_host_id nlb.hb.conv_state nlb.hb.rules nlb.hb.host_code nlb.hb.packets nlb.hb.teaming)"
    check "rule codes and ports (guess) of the captured slots" \
"0x61019019,0x61050050,0x61087087,0x6108f08f,0x611bb1bb,0x6124b24b,0x613e13e1,0x6ffff400,0x00000000|25,80,135,143,443,587,993|25,80,135,143,443,587,993" \
        "$(fields $f 'nlb.hb.priority == 2' nlb.hb.rule.code nlb.hb.rule.start_port nlb.hb.rule.end_port)"
    check "Info column" \
"Heartbeat host 2 → cluster 192.168.100.80 (9 rules, truncated)
Heartbeat host 1 → cluster 192.168.100.80 (9 rules, truncated)" "$(fields $f nlb _ws.col.Info)"
    check "-Y nlb" 2 "$(count nlb $f)"
    # Saved msnlb filters keep working: msnlb is handed the heartbeats nlb decoded (hidden tree).
    check "-Y msnlb still matches the heartbeats" 2 "$(count msnlb $f)"
    check "-Y 'msnlb.cluster_ip == 192.168.100.80'" 2 "$(count 'msnlb.cluster_ip == 192.168.100.80' $f)"
    check "-Y 'msnlb.host_ip == 192.168.100.81'" 1 "$(count 'msnlb.host_ip == 192.168.100.81' $f)"
    check "-Y 'msnlb.unique_host_id == 2 && msnlb.my_host_ip == 1'" 1 \
        "$(count 'msnlb.unique_host_id == 2 && msnlb.my_host_ip == 1' $f)"
    check "msnlb.* values as the built-in msnlb gives them" \
        "$(ts -r "$tmp/cap/$f" --disable-protocol nlb -T fields -E separator='|' -e msnlb.unique_host_id \
            -e msnlb.cluster_ip -e msnlb.host_ip -e msnlb.number_of_port_rules -e msnlb.unique_host_code 2>&1)" \
        "$(fields $f msnlb msnlb.unique_host_id msnlb.cluster_ip msnlb.host_ip msnlb.number_of_port_rules \
            msnlb.unique_host_code)"
    check "msnlb's tree is hidden and its column text discarded" "0|nlb" \
        "$(ts -r "$tmp/cap/$f" -V 2>&1 | grep -c '^MS NLB')|$(fields $f msnlb _ws.col.Protocol | sort -u | tr 'A-Z' 'a-z' | sed 's/ .*//')"
    # Every bundled capture: -Y msnlb matches what it matches without the plugin, less the
    # foreign 0x886F frames (Xbox, LQSR) that msnlb misreads as heartbeats and nlb refuses.
    for c in "$src"/captures/*.pcap; do
        c=$(basename "$c")
        stock=$(ts -r "$tmp/cap/$c" --disable-protocol nlb -Y msnlb 2>&1 | grep -c .)
        foreign=$(count 'eth.type == 0x886f && !nlb' "$c")
        check "$c: -Y msnlb with the plugin ($stock without it, $foreign foreign 0x886F frames)" \
            "$((stock - foreign))" "$(count msnlb "$c")"
    done
    check "--disable-protocol nlb gives 0x886F back to msnlb" "eth:ethertype:msnlb|
eth:ethertype:msnlb|" \
        "$(ts -r "$tmp/cap/$f" --disable-protocol nlb -T fields -E separator='|' -e frame.protocols -e nlb.mac.kind 2>&1)"
    check "Decode As msnlb still possible" 2 "$(ts -r "$tmp/cap/$f" -d ethertype==0x886f,msnlb -Y msnlb | grep -c .)"
    check "-Y nlb.hb.truncated" 2 "$(count nlb.hb.truncated $f)"
    check "-Y nlb.hb.map.current (cut by snaplen: never shown)" 0 "$(count nlb.hb.map.current $f)"
    check "-Y nlb.hb.rule.weight (cut by snaplen: never shown)" 0 "$(count nlb.hb.rule.weight $f)"
    check "-Y 'nlb.hb.rule.start_port == 443'" 2 "$(count 'nlb.hb.rule.start_port == 443' $f)"
    check "-Y 'nlb.hb.priority == 1 && nlb.hb.dedicated_ip == 192.168.100.81'" 1 \
        "$(count 'nlb.hb.priority == 1 && nlb.hb.dedicated_ip == 192.168.100.81' $f)"
    check "-Y 'nlb.mac.kind == 2 && nlb.mac.confirmed'" 2 "$(count 'nlb.mac.kind == 2 && nlb.mac.confirmed' $f)"
    ex=$(ts -r "$tmp/cap/$f" -q -z expert 2>&1)
    check "expert, one pass: 2 notes (each heartbeat cut by the snaplen), nothing else" "2|0|0" \
        "$(printf '%s\n' "$ex" | sed -n 's/^Notes (\([0-9]*\))$/\1/p')|$(printf '%s\n' "$ex" | grep -c '^Errors')|$(printf '%s\n' "$ex" | grep -c '^Warns')"
    ex=$(ts -r "$tmp/cap/$f" -2 -q -z expert 2>&1)
    check "expert, two passes: NLB-013 once, with its short title from libnlbproto's table" "1" \
        "$(printf '%s\n' "$ex" | grep -Ec '^ *1 *Undecoded *NLB \(nlbproto\) *NLB-013: Heartbeats cut by the snaplen: bin maps unknown$')"
    check "NLB-013 details: count and hosts in the generated subtree" \
        "1|NLB-013|info|hosts 1 and 2|2 heartbeats of hosts 1 and 2 of 192.168.100.80 were cut" \
        "$(ts -r "$tmp/cap/$f" -2 -Y nlb.diag -T fields -E separator='|' -e frame.number -e nlb.diag -e nlb.diag.severity \
            -e nlb.diag.hosts -e nlb.diag.message 2>&1 | sed 's/ were cut.*/ were cut/')"
    st=$(ts -r "$tmp/cap/$f" -q -z nlb,tree 2>&1)
    for line in "Heartbeats by cluster and host +2 " " cluster 192.168.100.80 +2 " "  host 2 \(192.168.100.82\) +1 " \
                "  host 1 \(192.168.100.81\) +1 " "   membership +1 " "Truncated heartbeats +2 " \
                " masked source MAC as source +2 " "Heartbeat gaps > period x tolerance +0 "; do
        if printf '%s\n' "$st" | grep -Eq "^$line"; then ok "stats tree: $line"; else bad "stats tree lacks /$line/"; fi
    done
    [ $fail -eq 0 ] || printf '%s\n' "$st" | sed 's/^/  /'
}

t_synthetic() {
    f=synthetic.pcap
    check "foreign 0x886F (XBOX) goes to data" "eth:ethertype:data" "$(fields $f 'frame.number == 7' frame.protocols)"
    check "-Y nlb on the XBOX frame" 0 "$(count 'nlb && frame.number == 7' $f)"
    check "full heartbeat: maps, bins and weights" \
        "0x000000003fffffff,0x0000000000000000|30,0|0-29,none|50,50" \
        "$(fields $f 'frame.number == 1' nlb.hb.map.current nlb.hb.bins_owned nlb.hb.bins nlb.hb.rule.weight)"
    check "Info column with bins" "Heartbeat host 1 → cluster 10.20.30.40 (2 rules, 30 bins)" \
        "$(fields $f 'frame.number == 1' _ws.col.Info)"
    check "extended heartbeat TLVs" "web1|10.20.30.41,2001:db8::41" \
        "$(fields $f 'nlb.hb.kind == 2' nlb.hb.host_name nlb.hb.address)"
    check "IPv6 address filter" 1 "$(count 'nlb.hb.address == 2001:db8::41' $f)"
    check "unknown signature" "24|0" "$(fields $f 'nlb.hb.signature == 0xc0de01aa' frame.number nlb.hb.kind)"
    check "heartbeat gap on the first heartbeat after it" "26|7900" "$(fields $f nlb.hb.gap frame.number nlb.hb.gap)"
    check "VIP flow: emulated bin, prediction and observed host" "9|14|1|
10|14|1|2" "$(fields $f nlb.flow frame.number nlb.flow.bin nlb.flow.predicted_host nlb.flow.observed_host)"
    check "GARP annotated" "13|10.20.30.99" "$(fields $f nlb.garp frame.number nlb.garp)"
    check "RARP annotated with the NLB host it announces" "15|02:01:0a:14:1e:28|1" \
        "$(fields $f nlb.rarp frame.number nlb.rarp nlb.announced_host)"
    check "cluster MAC as source" "18|1|10.20.30.40|1" \
        "$(fields $f 'nlb.mac.kind == 1 && eth.src == 02:bf:0a:14:1e:28' frame.number nlb.mac.kind nlb.mac.vip nlb.mac.confirmed)"
    ex=$(ts -r "$tmp/cap/$f" -q -z expert 2>&1)
    check "one pass: only the frames' own problems (diagnoses need the whole capture: -2)" "1 1 0" \
        "$(printf '%s\n' "$ex" | grep -c 'Malformed heartbeat: rule count 40 exceeds') $(
           printf '%s\n' "$ex" | grep -c 'Unknown NLB signature 0xc0de01aa') $(printf '%s\n' "$ex" | grep -c 'NLB-0')"
    ex=$(ts -r "$tmp/cap/$f" -2 -q -z expert 2>&1)
    for pat in "^ *1 *Protocol *NLB \(nlbproto\) *NLB-005: Unicast cluster MAC seen as Ethernet source$" \
               "^ *1 *Malformed *NLB \(nlbproto\) *Malformed heartbeat: rule count 40 exceeds" \
               "^ *1 *Protocol *NLB \(nlbproto\) *NLB-006: Two hosts claim the same host priority$" \
               "^ *1 *Protocol *NLB \(nlbproto\) *Unknown NLB signature 0xc0de01aa" \
               "^ *1 *Sequence *NLB \(nlbproto\) *NLB-003: Host silent longer than period x tolerance$" \
               "^ *1 *Sequence *NLB \(nlbproto\) *NLB-004: Cluster converging: bins being redistributed$" \
               "^ *1 *Protocol *NLB \(nlbproto\) *Host 2 answered; predicted host 1 from the heartbeat maps"; do
        if printf '%s\n' "$ex" | grep -Eq "$pat"; then ok "expert /$pat/"; else bad "expert lacks /$pat/"; fi
    done
    # frame 25 (rule count 40, malformed) is host 1 of 10.99.0.1 heard once: silent until the end
    check "expert severities with -2 (errors, warnings, NLB notes)" "5 3 2" \
        "$(printf '%s\n' "$ex" | sed -n 's/^Errors (\([0-9]*\))$/\1/p') $(printf '%s\n' "$ex" | sed -n 's/^Warns (\([0-9]*\))$/\1/p') $(
           printf '%s\n' "$ex" | sed -n '/^Notes/,/^Chats/p' | grep -c 'NLB (nlbproto)')"
    check "diagnoses on their first frames: frame, code, severity, hosts" \
"$(printf '%s\n' "18|NLB-005|error|" "20|NLB-003|warning|host 2" "21|NLB-006|error|host 2" \
   "23|NLB-003,NLB-004|error,info|host 1,host 1" "25|NLB-003|error|host 1" "26|NLB-004|warning|host 2")" \
        "$(ts -r "$tmp/cap/$f" -2 -Y nlb.diag -T fields -E separator='|' -e frame.number -e nlb.diag -e nlb.diag.severity -e nlb.diag.hosts 2>&1)"
    check "preference nlb.annotate:FALSE" 0 "$(ts -r "$tmp/cap/$f" -o nlb.annotate:FALSE -Y 'nlb.flow || nlb.garp || nlb.mac.kind' | grep -c .)"
    check "preference nlb.tolerance:10 (no gap of 7.9 s)" 0 "$(ts -r "$tmp/cap/$f" -o nlb.tolerance:10 -Y nlb.hb.gap | grep -c .)"
    check "preference nlb.bins:30 (the emulation's bin count)" 1 \
        "$(ts -r "$tmp/cap/$f" -o nlb.bins:30 -O nlb -Y 'frame.number == 9' | grep -Ec 'Bin \(emulation\): [0-9]+ of 30 ')"
    have_cap unicast-healthy.pcap || { echo "skip port rules file checks (captures/unicast-healthy.pcap not generated)"; return; }
    # from the sandbox: tshark runs as nobody, who cannot read a checkout under /root
    rules="nlb.rules_file:$tmp/cap/unicast-healthy.rules"
    check "port rules file: every VIP frame falls under a rule" "$(count nlb.flow unicast-healthy.pcap)" \
        "$(ts -r "$tmp/cap/unicast-healthy.pcap" -o "$rules" -Y 'nlb.flow.rule == 1 || nlb.flow.rule == 2' | grep -c .)"
    check "port rules file: rule 1 = TCP 80, rule 2 = 443" "0 0" \
        "$(ts -r "$tmp/cap/unicast-healthy.pcap" -o "$rules" -Y 'nlb.flow.rule == 1 && !(tcp.port == 80)' | grep -c .) $(
           ts -r "$tmp/cap/unicast-healthy.pcap" -o "$rules" -Y 'nlb.flow.rule == 2 && !(tcp.port == 443 || udp.port == 443)' | grep -c .)"
    check "port rules file: every reply still agrees with the emulation" \
        "$(count nlb.flow.observed_host unicast-healthy.pcap)" \
        "$(ts -r "$tmp/cap/unicast-healthy.pcap" -o "$rules" \
            -Y 'nlb.flow.observed_host == nlb.flow.predicted_host' 2>&1 | grep -c .)"
}

# A heartbeat's tree is the plugin's visible API: compare it with a reviewed copy.
t_golden() {
    g=$tdir/golden
    mkdir -p "$tmp/out"
    # name|capture|tshark arguments
    while IFS='|' read -r name cap args; do
        # shellcheck disable=SC2086
        ts -r "$tmp/cap/$cap" $args 2>&1 | golden_view > "$tmp/out/$name"
        if [ "${NLB_GOLDEN_UPDATE:-0}" = 1 ]; then
            { echo "# SPDX-License-Identifier: GPL-2.0-or-later"
              echo "# tshark -r $cap $args | golden_view   (tests/tshark/run.sh golden; header lines are skipped)"
              cat "$tmp/out/$name"; } > "$g/$name"
            echo "updated $g/$name"
        elif tail -n +3 "$g/$name" | diff -u - "$tmp/out/$name" > "$tmp/diff"; then
            ok "golden $name"
        else
            bad "golden $name differs (NLB_GOLDEN_UPDATE=1 to accept after review):"
            sed 's/^/  /' "$tmp/diff" | head -60
        fi
    done <<EOF2
msnlb-frame1.txt|msnlb.pcap|-V -c 1
synthetic-frame23.txt|synthetic.pcap|-O nlb -Y frame.number==23
synthetic-frame10.txt|synthetic.pcap|-O nlb -Y frame.number==10
EOF2
}

# What the first pass learns per frame must read the same in later passes (-2): the per-frame
# facts. Diagnoses, verdicts, bursts and convergence need the whole capture and are checked with -2.
t_twopass() {
    for f in synthetic.pcap incident.pcap misconfig.pcap multicast.pcap; do
        have_cap $f || { echo "skip $f (not generated yet)"; continue; }
        set -- -T fields -e frame.number -e nlb.flow.bin -e nlb.flow.predicted_host -e nlb.flow.observed_host \
               -e nlb.hb.gap -e nlb.mac.confirmed -e nlb.garp -e nlb.rarp -e nlb.announced_host
        ts -r "$tmp/cap/$f" "$@" > "$tmp/one" 2>&1
        ts -r "$tmp/cap/$f" -2 "$@" > "$tmp/two" 2>&1
        if cmp -s "$tmp/one" "$tmp/two"; then ok "$f: one pass = two passes ($(grep -c . "$tmp/one") frames)"
        else bad "$f: -2 differs"; diff "$tmp/one" "$tmp/two" | head -10; fi
    done
}

# The postdissector turns most frames away by their first bytes before decoding them: behind
# 802.1Q and QinQ tags it must still find every cluster MAC, ARP/RARP and VIP flow.
t_vlan() {
    command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed (needed to add VLAN tags)"; exit 77; }
    n=0
    for f in synthetic.pcap unicast-healthy.pcap incident.pcap multicast.pcap; do
        have_cap $f || { echo "skip $f (not generated yet)"; continue; }
        python3 - "$tmp/cap/$f" "$tmp/cap" <<'PY' || { bad "$f: cannot add VLAN tags"; continue; }
import os, struct, sys
src, out = sys.argv[1], sys.argv[2]
d = open(src, 'rb').read()
assert struct.unpack('<I', d[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d), 'little-endian pcap expected'
for name, tags in (('vlan', [0x8100]), ('qinq', [0x88A8, 0x8100])):
    ins = b''.join(struct.pack('>HH', t, 100 + i) for i, t in enumerate(tags))
    o, parts = 24, [d[:24]]
    while o + 16 <= len(d):
        ts, tu, cl, ol = struct.unpack('<IIII', d[o:o + 16])
        pkt = d[o + 16:o + 16 + cl]
        o += 16 + cl
        if cl >= 12:
            pkt, cl, ol = pkt[:12] + ins + pkt[12:], cl + len(ins), ol + len(ins)
        parts.append(struct.pack('<IIII', ts, tu, cl, ol) + pkt)
    open(os.path.join(out, name + '-' + os.path.basename(src)), 'wb').write(b''.join(parts))
PY
        chmod a+r "$tmp/cap/vlan-$f" "$tmp/cap/qinq-$f"
        set -- -T fields -e frame.number -e nlb.mac.kind -e nlb.mac.confirmed -e nlb.garp -e nlb.rarp \
               -e nlb.announced_host -e nlb.flow.bin -e nlb.flow.predicted_host -e nlb.flow.observed_host \
               -e nlb.hb.gap -e _ws.expert.message
        ts -r "$tmp/cap/$f" "$@" > "$tmp/plain" 2>&1
        for tag in vlan qinq; do
            ts -r "$tmp/cap/$tag-$f" "$@" > "$tmp/tagged" 2>&1
            if cmp -s "$tmp/plain" "$tmp/tagged"; then ok "$f behind $tag tags: same annotations ($(grep -c . "$tmp/plain") frames)"
            else bad "$f behind $tag tags differs"; diff "$tmp/plain" "$tmp/tagged" | head -10; fi
        done
        n=$((n + 1))
    done
    [ $n -gt 0 ] || { echo "SKIP: no capture to tag"; exit 77; }
}

# nlbgen's scenarios: heartbeat counts per host and the diagnostics against *.expected.json.
t_scenarios() {
    if ! command -v jq >/dev/null 2>&1; then echo "SKIP: jq is not installed (needed to read captures/*.expected.json)"; exit 77; fi
    n=0
    for exp in "$src"/captures/*.expected.json; do
        [ -f "$exp" ] || continue
        name=$(basename "$exp" .expected.json)
        f=$name.pcap
        have_cap $f || { bad "$f missing next to $exp"; continue; }
        n=$((n + 1))
        want=$(jq -r '.clusters[]? | .vip as $v | .hosts[] | "\($v)|\(.priority)|\(.dedicated_ip)|\(.heartbeats)|\(.heartbeats_extended // 0)"' "$exp" | sort)
        got=$(ts -r "$tmp/cap/$f" -Y 'nlb.hb.kind == 1 || nlb.hb.kind == 2' -T fields -E separator='|' \
                -e nlb.hb.cluster_ip -e nlb.hb.priority -e nlb.hb.dedicated_ip -e nlb.hb.kind 2>&1 |
              awk -F'|' '{ k = $1 "|" $2 "|" $3; if ($4 == 1) m[k]++; else x[k]++; all[k] = 1 }
                         END { for (k in all) print k "|" (m[k] + 0) "|" (x[k] + 0) }' | sort)
        check "$name: heartbeats per host (membership|extended)" "$want" "$got"
        if [ "$(jq '.clusters | length' "$exp")" -eq 0 ]; then
            check "$name: -Y nlb matches no frame" 0 "$(count nlb $f)"
            # Look-alike MAC forms stay candidates until a VIP is known: the preference makes one.
            cand=$(ts -r "$tmp/cap/$f" -Y 'eth.src == 02:01:00:01:00:00' 2>&1 | grep -c .)
            check "$name: nlb.vips:0.1.0.0 confirms the lab router's 02:01:00:01:00:00 ($cand frames)" "$cand" \
                "$(ts -r "$tmp/cap/$f" -o nlb.vips:0.1.0.0 -Y 'nlb.mac.confirmed && nlb.mac.priority == 1' 2>&1 | grep -c .)"
        fi
        # Every diagnosis the scenario expects, and no other, once the plugin has seen the whole capture.
        exp_codes=$(jq -r '.diagnostics[].code' "$exp" | sort -u | tr '\n' ' ')
        got_codes=$(ts -r "$tmp/cap/$f" -2 -q -z expert 2>&1 | grep -o 'NLB-0[0-9][0-9]' | sort -u | tr '\n' ' ')
        check "$name: plugin diagnostics with -2" "$exp_codes" "$got_codes"
        # Replies per observed host; the generator follows the emulation, so all must agree.
        want=$(jq -r '.flows_summary.replies_by_host // {} | to_entries[] | select(.value > 0) | "\(.key)|\(.value)"' "$exp" | sort)
        got=$(ts -r "$tmp/cap/$f" -Y nlb.flow.observed_host -T fields -e nlb.flow.observed_host 2>&1 | sort | uniq -c |
              awk '{ print $2 "|" $1 }' | sort)
        check "$name: replies per observed host" "$want" "$got"
        check "$name: predicted host (emulation) = observed host for every reply" \
            "$(count 'nlb.flow.observed_host' $f)" "$(count 'nlb.flow.observed_host == nlb.flow.predicted_host' $f)"
        # Every prediction names its source; a learned one is the learned host.
        check "$name: every predicted host has nlb.flow.predicted_source" \
            "$(count 'nlb.flow.predicted_host' $f)" "$(count 'nlb.flow.predicted_source' $f)"
        check "$name: learned predictions are nlb.flow.learned_host" \
            "$(count 'nlb.flow.predicted_source == "learned"' $f)" \
            "$(count 'nlb.flow.predicted_source == "learned" && nlb.flow.learned_host == nlb.flow.predicted_host' $f)"
    done
    [ $n -gt 0 ] || { echo "SKIP: no captures/*.expected.json yet (tools/nlbgen, captures/regenerate.sh)"; exit 77; }
}

# The field-expert scenarios (tools/nlbgen/expert.c): what the plugin shows of each finding.
t_expert() {
    f=legacy.pcap
    have_cap $f || { echo "SKIP: captures/$f not generated"; exit 77; }
    check "0xBF01: legacy heartbeats, common header only" \
"138|eth:ethertype:nlb|3|10.20.30.80|10.20.30.83|Legacy WLBS/Convoy heartbeat host 3 → cluster 10.20.30.80 (0xBF01, body not decoded)" \
        "$(fields $f 'nlb.hb.legacy' frame.number frame.protocols nlb.hb.priority nlb.hb.cluster_ip nlb.hb.dedicated_ip \
            _ws.col.Info | head -1)"
    check "0xBF01: 12 frames, no body field" "12 0" "$(count nlb.hb.legacy $f) $(count 'nlb.hb.legacy && nlb.hb.rules' $f)"
    check "LQSR and Xbox named, left to data, not nlb" \
"49|eth:ethertype:data|Not NLB: LQSR mesh routing (Microsoft Research) (shares ethertype 0x886F)
96|eth:ethertype:data|Not NLB: Xbox wireless adapter (shares ethertype 0x886F)" \
        "$(fields $f 'eth.type == 0x886f && !nlb' frame.number frame.protocols _ws.col.Info | head -2)"
    check "NLB-016 on the first legacy heartbeat" "138|NLB-016|warning|host 3" \
        "$(ts -r "$tmp/cap/$f" -2 -Y nlb.diag -T fields -E separator='|' -e frame.number -e nlb.diag -e nlb.diag.severity \
            -e nlb.diag.hosts 2>&1)"
    f=remote-ping.pcap
    have_cap $f || { echo "SKIP: captures/$f not generated"; exit 77; }
    check "remote control (outside) and ping census on their first frames" \
"142|NLB-019|warning|198.51.100.77|10.20.30.90
197|NLB-020|warning|203.0.113.10|10.20.30.90" \
        "$(ts -r "$tmp/cap/$f" -2 -Y nlb.diag -T fields -E separator='|' -e frame.number -e nlb.diag -e nlb.diag.severity \
            -e ip.src -e ip.dst 2>&1)"
    check "NLB-020 names who answered and who did not" "1" \
        "$(ts -r "$tmp/cap/$f" -2 -Y 'nlb.diag == "NLB-020"' -T fields -e nlb.diag.message 2>&1 |
           grep -c 'hosts 1 and 2 answered (at most 2 per request); heard in heartbeats: hosts 1, 2 and 3.*host 3, heard in heartbeats, never answered')"
}

nlb_assert_loaded
case $what in
loaded) t_loaded ;;
msnlb) t_msnlb ;;
synthetic) t_synthetic ;;
golden) t_golden ;;
twopass) t_twopass ;;
scenarios) t_scenarios ;;
vlan) t_vlan ;;
expert) t_expert ;;
*) echo "usage: $0 loaded|msnlb|synthetic|golden|twopass|scenarios|vlan|expert"; exit 2 ;;
esac
[ $fail -eq 0 ] && echo "PASS $what" || echo "FAILED $what"
exit $fail
