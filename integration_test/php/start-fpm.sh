#!/bin/sh
# Runs PHP-FPM for this app in the foreground.
#   start-fpm.sh LISTEN RUNDIR
# LISTEN is 127.0.0.1:PORT or an absolute unix socket path; RUNDIR is created
# if needed and holds the rendered config, the pid file and the sessions.
# The script execs php-fpm, so its pid is FPM's master pid: SIGTERM or SIGQUIT
# to it stops FPM and its workers.
set -eu
if [ $# -ne 2 ]; then
	echo "usage: $0 LISTEN RUNDIR" >&2
	exit 2
fi
listen=$1
rundir=$(mkdir -p "$2" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
fpm=${PHP_FPM:-$(command -v php-fpm8.2 || command -v php-fpm)}

mkdir -p "$rundir/sessions"
sed -e "s#@LISTEN@#$listen#g" -e "s#@RUNDIR@#$rundir#g" "$here/fpm.conf.tmpl" >"$rundir/php-fpm.conf"

# -R lets the pool run as root (containers, CI); without root it is unused.
root_flag=
if [ "$(id -u)" -eq 0 ]; then
	root_flag=-R
fi
exec "$fpm" -F -O $root_flag -y "$rundir/php-fpm.conf"
