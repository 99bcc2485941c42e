#!/bin/sh
# Starts the Rails app on 127.0.0.1:$PORT (default 3000) with WEBrick, in the
# foreground. The script execs rackup, so its pid is the server's: SIGTERM or
# SIGINT stops it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec rackup -s webrick -E deployment -o "${HOST:-127.0.0.1}" -p "${PORT:-3000}" "$here/config.ru"
