#!/usr/bin/env bash
# Builds the local images of the deployed e2e environment (no registry is reachable), each from
# real binaries of the release the constructs pin, into the engine at DOCKER_HOST. An image that
# already exists under its name:tag is kept (the engine's data root under .tools/ is the cache).
#
# Each image is a rootfs folder given to `docker import` with the entrypoint, user and working
# directory the constructs rely on in the upstream image; busybox-static provides /bin/sh and
# /bin/wget where the generated healthcheck calls wget. Debian's Go binaries are dynamically
# linked, so the libraries `ldd` lists are copied beside them. README "Deployed e2e" lists, per
# image, the upstream fact it mirrors.
#
#   DOCKER_HOST=unix://... bash scripts/build-deploy-images.sh [--force]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
debian="$root/.tools/root"
gobin="$root/.tools/go/bin"
work="$root/.tools/docker/build"
force=0
[ "${1:-}" = "--force" ] && force=1
: "${DOCKER_HOST:?DOCKER_HOST must point at the private engine (bash scripts/deploy-engine.sh start)}"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || { echo "build-deploy-images: no Docker Engine answers at $DOCKER_HOST" >&2; exit 1; }

fail() { echo "build-deploy-images: $*" >&2; exit 1; }

# Copies an ELF file into the rootfs at <dest> plus every library ldd resolves (at its own path).
add_elf() { # <rootfs> <src> <dest>
  local rootfs="$1" src="$2" dest="$3"
  [ -e "$src" ] || fail "missing $src (run npm run tools and bash scripts/install-deploy-tools.sh)"
  mkdir -p "$rootfs$(dirname "$dest")"
  cp -L "$src" "$rootfs$dest"
  local lib
  # "not a dynamic executable" (static Go builds) yields no paths.
  for lib in $(ldd "$src" 2>/dev/null | grep -oE '/[^ ]+' || true); do
    [ -e "$rootfs$lib" ] && continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# A minimal base: busybox sh/wget (static), passwd/group with the users the images run as, /tmp.
base_rootfs() { # <rootfs>
  local rootfs="$1"
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in sh wget cat ls mkdir; do ln -sf busybox "$rootfs/bin/$applet"; done
  cat > "$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
postgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh
redis:x:998:998:redis:/data:/bin/false
jaeger:x:10001:10001:jaeger:/:/bin/false
redis_exporter:x:59000:59000:redis_exporter:/:/bin/false
EOF
  cat > "$rootfs/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
postgres:x:999:
redis:x:998:
jaeger:x:10001:
redis_exporter:x:59000:
EOF
  echo "hosts: files dns" > "$rootfs/etc/nsswitch.conf"
}

# Imports a rootfs as <image> with the given --change lines; the label names the upstream image.
import_image() { # <image> <rootfs> <mirrors> <change>...
  local image="$1" rootfs="$2" mirrors="$3"
  shift 3
  local changes=(--change "LABEL org.civicpulse.mirrors=\"$mirrors\"" --change "ENV PATH=/bin:/usr/bin")
  for c in "$@"; do changes+=(--change "$c"); done
  tar --numeric-owner -C "$rootfs" -c . | docker import "${changes[@]}" - "$image" >/dev/null || fail "docker import of $image failed"
}

want() { # <image>: true when it must be built
  [ "$force" = 1 ] && return 0
  ! docker image inspect "$1" >/dev/null 2>&1
}

new_rootfs() { # <name> -> path
  local dir="$work/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  base_rootfs "$dir"
  echo "$dir"
}

built=()
prom_image() { # <image> <mirrors> <debian binary> <path in image> <workdir or -> <extra dirs...>
  local image="$1" mirrors="$2" bin="$3" dest="$4" workdir="$5"
  shift 5
  want "$image" || return 0
  local r
  r="$(new_rootfs "${image//[:\/]/_}")"
  add_elf "$r" "$debian/usr/bin/$bin" "$dest"
  local d
  for d in "$@"; do mkdir -p "$r$d" && chown 65534:65534 "$r$d"; done
  # Debian's Alertmanager reads its default notification templates (*.tmpl) from /usr/share (upstream embeds it).
  if [ "$bin" = prometheus-alertmanager ]; then
    mkdir -p "$r/usr/share/prometheus/alertmanager"
    cp "$debian"/usr/share/prometheus/alertmanager/*.tmpl "$r/usr/share/prometheus/alertmanager/"
  fi
  local changes=("ENTRYPOINT [\"$dest\"]" "USER 65534")
  [ "$workdir" != - ] && changes+=("WORKDIR $workdir")
  import_image "$image" "$r" "$mirrors" "${changes[@]}"
  built+=("$image")
}

# The tags: local names carrying the version of the binary inside (see spec/deployed.ts).
P=civicpulse-local
prom_image "$P/prometheus:3.5.3" prom/prometheus:v3.5.0 prometheus /bin/prometheus /prometheus /prometheus /etc/prometheus
prom_image "$P/alertmanager:0.33.1" prom/alertmanager:v0.33.1 prometheus-alertmanager /bin/alertmanager /alertmanager /alertmanager /etc/alertmanager
prom_image "$P/node-exporter:1.11.1" prom/node-exporter:v1.11.1 prometheus-node-exporter /bin/node_exporter -
prom_image "$P/blackbox-exporter:0.28.0" prom/blackbox-exporter:v0.28.0 prometheus-blackbox-exporter /bin/blackbox_exporter - /etc/blackbox_exporter
prom_image "$P/pushgateway:1.11.2" prom/pushgateway:v1.11.2 prometheus-pushgateway /bin/pushgateway /pushgateway /pushgateway
prom_image "$P/postgres-exporter:0.19.1" prometheuscommunity/postgres-exporter:v0.19.1 prometheus-postgres-exporter /bin/postgres_exporter -

# redis_exporter's -alpine image: /redis_exporter as user 59000, busybox wget for the healthcheck.
if want "$P/redis-exporter:1.86.0"; then
  r="$(new_rootfs redis-exporter)"
  add_elf "$r" "$debian/usr/bin/prometheus-redis-exporter" /redis_exporter
  import_image "$P/redis-exporter:1.86.0" "$r" oliver006/redis_exporter:v1.86.0-alpine 'ENTRYPOINT ["/redis_exporter"]' "USER 59000:59000"
  built+=("$P/redis-exporter:1.86.0")
fi

# ghcr.io/shopify/toxiproxy is FROM scratch: /toxiproxy (entrypoint) and /toxiproxy-cli, nothing else.
if want "$P/toxiproxy:2.12.0"; then
  r="$work/toxiproxy"
  rm -rf "$r" && mkdir -p "$r/config"
  add_elf "$r" "$gobin/toxiproxy-server" /toxiproxy
  add_elf "$r" "$gobin/toxiproxy-cli" /toxiproxy-cli
  import_image "$P/toxiproxy:2.12.0" "$r" ghcr.io/shopify/toxiproxy:2.12.0 'ENTRYPOINT ["/toxiproxy"]' 'CMD ["-host=0.0.0.0"]'
  built+=("$P/toxiproxy:2.12.0")
fi

# The databases the exporters watch (not part of the monitoring stack: the harness runs them).
if want "$P/redis:7.0.15"; then
  r="$(new_rootfs redis)"
  add_elf "$r" /usr/bin/redis-server /usr/bin/redis-server
  mkdir -p "$r/data" && chown 998:998 "$r/data"
  import_image "$P/redis:7.0.15" "$r" "Debian 12 redis-server" 'ENTRYPOINT ["/usr/bin/redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]' "USER 998" "WORKDIR /data"
  built+=("$P/redis:7.0.15")
fi

if want "$P/postgres:15"; then
  r="$(new_rootfs postgres)"
  pg=/usr/lib/postgresql/15
  for b in postgres initdb pg_isready psql; do add_elf "$r" "$pg/bin/$b" "$pg/bin/$b"; done
  for so in "$pg"/lib/*.so; do add_elf "$r" "$so" "$so"; done
  mkdir -p "$r/usr/share/postgresql" && cp -a /usr/share/postgresql/15 "$r/usr/share/postgresql/15"
  mkdir -p "$r/var/lib/postgresql/data" "$r/var/run/postgresql"
  chown -R 999:999 "$r/var/lib/postgresql" "$r/var/run/postgresql"
  chmod 700 "$r/var/lib/postgresql/data"
  cat > "$r/entrypoint.sh" <<'EOF'
#!/bin/sh
# First start: a cluster with trust authentication for the private network (test database only).
set -e
PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  /usr/lib/postgresql/15/bin/initdb -D "$PGDATA" -U postgres --auth=trust --locale=C --encoding=UTF8 >/dev/null
  echo "host all all 0.0.0.0/0 trust" >> "$PGDATA/pg_hba.conf"
fi
exec /usr/lib/postgresql/15/bin/postgres -D "$PGDATA" -c listen_addresses='*' -c fsync=off
EOF
  chmod 755 "$r/entrypoint.sh"
  import_image "$P/postgres:15" "$r" "Debian 12 postgresql-15" 'ENTRYPOINT ["/entrypoint.sh"]' "USER 999"
  built+=("$P/postgres:15")
fi

# jaegertracing/jaeger (v2): /cmd/jaeger/jaeger-linux as user 10001 on Alpine (busybox wget).
if [ -x "$gobin/jaeger" ] && want "$P/jaeger:2.13.0"; then
  r="$(new_rootfs jaeger)"
  add_elf "$r" "$gobin/jaeger" /cmd/jaeger/jaeger-linux
  mkdir -p "$r/etc/jaeger"
  import_image "$P/jaeger:2.13.0" "$r" jaegertracing/jaeger:2.21.0 'ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]' "USER 10001"
  built+=("$P/jaeger:2.13.0")
fi

echo "build-deploy-images: built ${#built[@]} image(s)${built[*]:+: ${built[*]}}" >&2
