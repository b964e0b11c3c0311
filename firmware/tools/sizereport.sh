#!/bin/sh
# sizereport.sh SIZE-TOOL ELF BIN LINK_ADDR BOARD: print sizes, fail if the image does not fit.
set -e
size_tool=$1; elf=$2; bin=$3; link=$4; board=$5
"$size_tool" "$elf" | sed "s|^|  [$board] |"
flash_total=262144
avail=$((flash_total - link))
used=$(wc -c < "$bin")
echo "  [$board] image $used bytes at $link, $avail available ($((used * 100 / avail))% of flash)"
ram=$("$size_tool" "$elf" | awk 'NR==2 {print $2 + $3}')
echo "  [$board] RAM $ram bytes static + 6144 stack reserved, of 32764"
if [ "$used" -gt "$avail" ]; then echo "  [$board] ERROR: image does not fit"; exit 1; fi
