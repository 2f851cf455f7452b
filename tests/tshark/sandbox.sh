# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the tshark-driven tests (tests/tshark/run.sh, tests/malformed/tshark.sh).
# tshark exits 0 even when a plugin fails to load, and as root it ignores personal plugin
# directories: so the plugin goes into a throw-away personal directory, tshark runs as an
# unprivileged user, and nlb_assert_loaded proves the plugin is there before anything else.
# Needs NLB_PLUGIN; uses NLB_TSHARK and NLB_WS_VERSION when set.

# nlb_sandbox FILE...: set tmp, home, pdir, tshark and runas; copy the FILEs into $tmp/cap.
nlb_sandbox() {
    tshark=${NLB_TSHARK:-}
    [ -n "$tshark" ] && [ -x "$tshark" ] || tshark=$(command -v tshark 2>/dev/null || true)
    if [ -z "$tshark" ]; then
        echo "SKIP: tshark is not installed (apt-get install tshark)"
        exit 77
    fi
    if [ -z "${NLB_PLUGIN:-}" ] || [ ! -f "$NLB_PLUGIN" ]; then
        echo "FAIL: plugin not built: ${NLB_PLUGIN:-NLB_PLUGIN unset} (cmake --build <dir> --target nlb)"
        exit 1
    fi
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/nlb-tshark.XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT INT TERM
    home=$tmp/home
    # The personal plugin directory is named after tshark's major.minor: the build's, else the
    # installed tshark's own.
    wsver=${NLB_WS_VERSION:-$("$tshark" --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')}
    if [ -z "$wsver" ]; then
        echo "FAIL: cannot tell the Wireshark version (NLB_WS_VERSION unset, $tshark --version unreadable)"
        exit 1
    fi
    pdir=$home/.local/lib/wireshark/plugins/$wsver/epan
    mkdir -p "$pdir" "$tmp/cap"
    cp "$NLB_PLUGIN" "$pdir/nlb.so"
    # The unprivileged user must reach the plugin and the captures, and may write its profile.
    for f in "$@"; do [ -f "$f" ] && cp "$f" "$tmp/cap/"; done
    chmod -R a+rX "$tmp"
    chmod 777 "$home"
    runas=
    if [ "$(id -u)" -eq 0 ]; then
        if ! command -v setpriv >/dev/null 2>&1; then
            echo "FAIL: running as root without setpriv: tshark would ignore the personal plugin directory"
            exit 1
        fi
        runas="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups"
    fi
}

# ts ARGS...: tshark in the sandbox; NLB_TS_PREFIX (e.g. "timeout 300") goes in front of it,
# NLB_TS_ENV (e.g. "LD_PRELOAD=... ASAN_OPTIONS=...", no blanks inside a value) into its environment.
ts() {
    # shellcheck disable=SC2086
    ${NLB_TS_PREFIX:-} $runas env -i PATH=/usr/bin:/bin HOME="$home" TZ=UTC LC_ALL=C.UTF-8 ${NLB_TS_ENV:-} "$tshark" "$@"
}

# nlb_assert_loaded: the plugin really loaded from the sandbox, or the test fails here.
nlb_assert_loaded() {
    out=$(ts -G plugins 2>&1)
    if printf '%s\n' "$out" | grep -q "^nlb\.so.*$pdir/nlb\.so"; then
        echo "ok   plugin loaded from $pdir"
    else
        echo "FAIL plugin not loaded (tshark -G plugins):"
        printf '%s\n' "$out" | sed 's/^/  /' | head -20
        ts -r /dev/null 2>&1 | sed 's/^/  stderr: /' | head -5
        exit 1
    fi
}
