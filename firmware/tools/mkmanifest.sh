#!/bin/sh
# mkmanifest.sh VERSION BUILD_DIR OUT_JSON BOARD... : manifest of the .bin images
set -e
version=$1; dir=$2; out=$3; shift 3
{
  echo "["
  first=1
  for b in "$@"; do
    case $b in samd21-xpro) link=0x00000000 ;; *) link=0x00002000 ;; esac
    f=winc-cert-fw-$b.bin
    size=$(wc -c < "$dir/$b/$f" | tr -d ' ')
    sha=$(sha256sum "$dir/$b/$f" | cut -d' ' -f1)
    [ $first -eq 1 ] || echo "  ,"
    first=0
    printf '  {"board": "%s", "version": "%s", "linkAddress": "%s", "size": %s, "sha256": "%s", "file": "%s", "hex": "%s"}\n' \
      "$b" "$version" "$link" "$size" "$sha" "$f" "winc-cert-fw-$b.hex"
  done
  echo "]"
} > "$out"
