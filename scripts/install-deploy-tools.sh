#!/usr/bin/env bash
# Installs what `npm run verify:deploy` needs beyond `npm run tools`, cached under .tools/ and
# built only when missing:
#   - Docker Engine (dockerd) and busybox-static from Debian 12 (system packages);
#   - the Terraform docker provider, built from the Go module proxy (CGO_ENABLED=0) into a
#     filesystem mirror, and the CLI config file that makes Terraform use it (TF_CLI_CONFIG_FILE);
#   - Toxiproxy, built from the Go module proxy into .tools/go/bin (Jaeger v2: scripts/install-jaeger.sh).
# Every Go build goes through a committed wrapper module under scripts/go/<name> (go.mod + go.sum),
# so the versions are locked. A failing step stops the script with the step's name; nothing is
# skipped. Usage: bash scripts/install-deploy-tools.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
gobin="$tools/go/bin"
# The provider version the mirror serves. The bindings (@cdktf/provider-docker 12.0.3) were generated
# from 3.6.2, but the Go module proxy refuses 3.6.2 (403 "This module version is not available"), so
# the wrapper builds upstream master just after v4.6.0 (see scripts/go/terraform-provider-docker/go.mod).
provider_version="4.6.0"
mirror="$tools/terraform/mirror"
provider_dir="$mirror/registry.terraform.io/kreuzwerker/docker/$provider_version/linux_amd64"
provider_bin="$provider_dir/terraform-provider-docker_v$provider_version"
cli_config="$tools/terraform/cli.tfrc"

step() { echo "install-deploy-tools: $*" >&2; }
fail() { echo "install-deploy-tools: step '$1' failed${2:+: $2}" >&2; exit 1; }

# 1. System packages (Debian 12): dockerd and a static busybox for the images' sh/wget.
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
# The static build: the images have no libc of their own for it (the dynamic busybox package would not do).
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  step "apt-get install ${need[*]} (Debian 12)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -qq update || fail "apt-get update"
  apt-get -qq install -y --no-install-recommends "${need[@]}" >/dev/null || fail "apt-get install ${need[*]}"
  # The package's init scripts may start the system daemon on machines with an init system; the
  # harness never uses the system socket, so leave it alone either way.
fi
command -v dockerd >/dev/null 2>&1 || fail "docker.io" "no dockerd after the install"
[ -x /bin/busybox ] || fail "busybox-static" "no /bin/busybox after the install"
command -v go >/dev/null 2>&1 || fail "go" "no go toolchain on PATH"
command -v terraform >/dev/null 2>&1 || fail "terraform" "no terraform on PATH (1.11.4 expected)"

# 2. Go builds through the wrapper modules (static, -trimpath); -mod=readonly keeps go.sum authoritative.
go_build() { # <step> <wrapper dir> <output> <package> [ldflags]
  local name="$1" dir="$2" out="$3" pkg="$4" ldflags="${5:-}"
  [ -x "$out" ] && return 0
  step "building $name (Go module proxy; the first build takes minutes)"
  mkdir -p "$(dirname "$out")"
  local t0=$SECONDS
  (cd "$root/scripts/go/$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath ${ldflags:+-ldflags "$ldflags"} -o "$out.tmp" "$pkg") \
    || { rm -f "$out.tmp"; fail "$name" "go build $pkg in scripts/go/$dir (a proxy refusal shows above as 403)"; }
  mv "$out.tmp" "$out"
  step "$name built in $((SECONDS - t0)) s"
}

go_build "terraform-provider-docker $provider_version" terraform-provider-docker "$provider_bin" \
  github.com/terraform-providers/terraform-provider-docker "-X main.version=$provider_version"
go_build toxiproxy-server toxiproxy "$gobin/toxiproxy-server" github.com/Shopify/toxiproxy/v2/cmd/server
go_build toxiproxy-cli toxiproxy "$gobin/toxiproxy-cli" github.com/Shopify/toxiproxy/v2/cmd/cli
# Jaeger v2 (the longest build) has one installer, shared with the live run: scripts/install-jaeger.sh,
# which `npm run tools` calls. The deployed environment runs Jaeger whenever .tools/go/bin/jaeger exists.

# 3. Terraform takes the docker provider from the mirror only, everything else as usual.
mkdir -p "$(dirname "$cli_config")"
cat > "$cli_config.tmp" <<EOF
# Written by scripts/install-deploy-tools.sh; used through TF_CLI_CONFIG_FILE.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/kreuzwerker/docker"]
  }
  direct {
    exclude = ["registry.terraform.io/kreuzwerker/docker"]
  }
}
EOF
mv "$cli_config.tmp" "$cli_config"
"$provider_bin" --help >/dev/null 2>&1 || true
step "docker provider $provider_version in $mirror; CLI config $cli_config"
