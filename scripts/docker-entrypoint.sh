#!/bin/sh
# Entry point of the Docker image: the first argument names the service to run.
# `exec` makes node PID 1, so `docker stop` (SIGTERM) reaches the service and it shuts down gracefully.
set -eu
service="${1:-}"
case "$service" in
  registry|intake|support-points|workforce|rates|compliance|notifier) ;;
  *)
    echo "usage: <image> registry|intake|support-points|workforce|rates|compliance|notifier (got '${service}')" >&2
    exit 64
    ;;
esac
shift
# The service's V8 flags (scripts/node-flags.js: the same for every way a service is started), unquoted: none or several words.
# shellcheck disable=SC2046
exec node $(node /app/scripts/node-flags.js "$service") -r /app/scripts/register-paths.js "/app/dist/apps/${service}/src/main.js" "$@"
