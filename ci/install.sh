#!/usr/bin/env bash
# Installs northstar from a GitHub release: the binary built for this
# machine, checked against the SHA-256 the release lists beside it. When the
# release has no binary for this machine (or VERSION is not a release), it
# builds that version from source with cargo instead, and says so.
#
#   install.sh OWNER/NAME VERSION DEST
#
# OWNER/NAME is the repository northstar is released from, VERSION a tag
# (v0.1.0), DEST the folder to put `northstar` in. The release assets are
# named as .github/workflows/release.yml writes them:
# northstar-VERSION-TARGET.tar.gz and northstar-VERSION-TARGET.tar.gz.sha256.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: install.sh OWNER/NAME VERSION DEST" >&2
  exit 2
fi
repo=$1 version=$2 dest=$3

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-gnu ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  *) target= ;;
esac

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"
asset="northstar-$version-$target.tar.gz"
base="https://github.com/$repo/releases/download/$version"
get() { curl --fail --silent --show-error --location --retry 3 --output "$1" "$2"; }

if [ -n "$target" ] && get "$tmp/$asset" "$base/$asset" && get "$tmp/sum" "$base/$asset.sha256"; then
  want=$(cut -d' ' -f1 < "$tmp/sum")
  got=$(sha256 "$tmp/$asset")
  if [ "$want" != "$got" ]; then
    echo "northstar: $asset does not match the SHA-256 its release lists ($got, listed $want); not installed" >&2
    exit 1
  fi
  mkdir "$tmp/x"
  tar -xzf "$tmp/$asset" -C "$tmp/x" northstar
  install -m 755 "$tmp/x/northstar" "$dest/northstar"
else
  echo "northstar: no released binary ${target:+for $target }at $base; building $version from source" >&2
  cargo install --locked --root "$tmp/root" --git "https://github.com/$repo" --tag "$version" northstar
  install -m 755 "$tmp/root/bin/northstar" "$dest/northstar"
fi
"$dest/northstar" --version
