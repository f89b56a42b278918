#!/usr/bin/env bash
# Installs the Prometheus 3.x tool chain (promtool, Prometheus, Alertmanager/amtool, exporters,
# Pushgateway) from Debian's unstable archive into .tools/, without touching the system's apt
# sources: a private sources list, lists folder and cache live under .tools/apt. Debian 12's own
# packages are too old (Prometheus 2.42 rejects Prometheus 3 fields), hence unstable.
# Idempotent: a tool already unpacked is not fetched again.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
apt_dir="$tools/apt"
unpack="$tools/root"
bin="$tools/bin"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# package -> binaries it must provide
declare -A wanted=(
  [prometheus]="prometheus"
  [promtool]="promtool"
  [prometheus-alertmanager]="prometheus-alertmanager amtool"
  [prometheus-blackbox-exporter]="prometheus-blackbox-exporter"
  [prometheus-node-exporter]="prometheus-node-exporter"
  [prometheus-redis-exporter]="prometheus-redis-exporter"
  [prometheus-postgres-exporter]="prometheus-postgres-exporter"
  [prometheus-pushgateway]="prometheus-pushgateway"
)

missing=()
for pkg in "${!wanted[@]}"; do
  for b in ${wanted[$pkg]}; do
    [ -x "$bin/$b" ] || { missing+=("$pkg"); break; }
  done
done

if [ "${#missing[@]}" -gt 0 ]; then
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/preferences.d" "$unpack" "$bin"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror unstable main" > "$apt_dir/etc/sources.list"
  apt_opts=(
    -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=$apt_dir/etc/preferences.d"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "Dir::Cache::Archives=$apt_dir/archives"
    -o "APT::Architecture=amd64"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
  )
  mkdir -p "$apt_dir/cache"
  echo "install-tools: fetching ${missing[*]} from Debian unstable into .tools/" >&2
  apt-get "${apt_opts[@]}" -qq update
  (cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" -qq download "${missing[@]}")
  for deb in "$apt_dir"/archives/*.deb; do
    dpkg -x "$deb" "$unpack"
  done
  for pkg in "${missing[@]}"; do
    for b in ${wanted[$pkg]}; do
      src="$unpack/usr/bin/$b"
      [ -x "$src" ] || { echo "install-tools: package $pkg did not provide usr/bin/$b" >&2; exit 1; }
      ln -sf "$src" "$bin/$b"
    done
  done
fi

# Redis and PostgreSQL servers for the live harness come from Debian 12 itself (system packages).
need_system=()
command -v redis-server >/dev/null 2>&1 || need_system+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_system+=(postgresql)
command -v hyperfine >/dev/null 2>&1 || need_system+=(hyperfine)
if [ "${#need_system[@]}" -gt 0 ] && [ "${INSTALL_SYSTEM_PACKAGES:-1}" = "1" ]; then
  echo "install-tools: apt-get install ${need_system[*]} (Debian 12)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -qq update
  apt-get -qq install -y --no-install-recommends "${need_system[@]}" >/dev/null
  # The postgresql package starts a cluster through its init scripts on some systems; the
  # harness runs its own cluster in a temporary folder and never uses the system one.
fi

# The Django instrumentation package's virtualenv (.tools/venv, from its lock file).
bash "$root/scripts/install-python.sh"
# Jaeger v2 for the live run's trace scenario, built from the Go module proxy (.tools/go/bin/jaeger).
bash "$root/scripts/install-jaeger.sh"

"$bin/promtool" --version 2>&1 | head -n 1 >&2
