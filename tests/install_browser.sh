#!/bin/sh
# Installs Debian's chromium for the browser tests when it is missing and we may.
# Without it (no root, no apt) those tests are skipped with a reason.
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
        >/dev/null 2>&1 || echo "warning: could not install chromium; browser tests will skip"
else
    echo "note: chromium not found and not root; browser tests will skip"
fi
exit 0
