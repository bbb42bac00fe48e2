#!/usr/bin/env bash
# Lists a replayed final stage: files, bytes, the biggest node_modules packages, the workspace links.
set -euo pipefail
root="$1/opt/opencti-connector"
cd "$root"
files=$(find . -type f | wc -l)
bytes=$(find . -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
printf 'files: %d, bytes: %d (%.1f MB)\n' "$files" "$bytes" "$(echo "$bytes/1000000" | bc -l)"
echo "-- by top folder (files, bytes)"
for d in node_modules connector-sdk connectors/sentinelone-intel; do
  printf '%-34s %6d %10d\n' "$d" "$(find "$d" -type f | wc -l)" "$(find "$d" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
done
for d in connector-sdk/* connectors/sentinelone-intel/* connectors/sentinelone-intel/dist/*/; do
  [ -e "$d" ] || continue
  d="${d%/}"
  printf '  %-40s %6d %10d\n' "$d" "$(find "$d" -type f | wc -l)" "$(find "$d" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
done
echo "-- node_modules/@octi"
ls -l node_modules/@octi | awk 'NR>1 {print "  " $9, $10, $11}'
echo "-- top-level packages in node_modules: $(find node_modules -mindepth 1 -maxdepth 1 -not -name '.*' -not -name '@*' | wc -l) + scoped $(find node_modules -mindepth 2 -maxdepth 2 -path 'node_modules/@*' | wc -l)"
echo "-- biggest 8 packages (bytes)"
for p in $(find node_modules -mindepth 1 -maxdepth 1 -not -name '@*' -not -name '.*') $(find node_modules -mindepth 2 -maxdepth 2 -path 'node_modules/@*' -not -path 'node_modules/@octi/*'); do
  printf '%10d %s\n' "$(find "$p/" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')" "$p"
done | sort -rn | head -8
echo "-- graphql: $( [ -d node_modules/graphql ] && echo present || echo absent )"
