#!/bin/sh
# Installs what the browser tests need when it is missing and we may: Debian's chromium
# and a CJK font (fonts-noto-cjk), without which Chinese labels render as empty boxes
# and tests/test_maps_browser.py fails. Without chromium (no root, no apt) those tests
# are skipped with a reason.
need=""
command -v chromium >/dev/null 2>&1 || need="chromium"
fc-list :lang=zh 2>/dev/null | grep -q . || need="$need fonts-noto-cjk"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    # shellcheck disable=SC2086 # one word per package
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need) \
        >/dev/null 2>&1 || echo "warning: could not install$need; browser tests may fail or skip"
else
    echo "note: missing$need and not root; install them for the browser tests"
fi
exit 0
