#!/usr/bin/env bash
# Stages depend one way: a file in a stage's folder (src/<stage>/, or src/<stage>.rs) names
# only its own stage and those below it, through `crate::<stage>` paths in code or docs. The
# names src/lib.rs re-exports at the top (`crate::Model`) count as their stage's.
#
# Usage: scripts/check-stages.sh    (from anywhere; exits 1 and lists each use up the stages)
set -euo pipefail
cd "$(dirname "$0")/.."

# Lowest first: error.rs (the crate's error types) sits below every stage; src/sample,
# src/adapt and src/annotate come after eval (they train, score and evaluate) and before report.
order=(error io text features model predict train eval sample adapt annotate report cli)

rank() {
  local i
  for i in "${!order[@]}"; do
    if [ "${order[$i]}" = "$1" ]; then
      echo "$i"
      return
    fi
  done
  echo -1
}

# Top-level re-exports: `pub use <stage>::...::{A, B};` in lib.rs, as "name stage" lines.
reexports=$(perl -0777 -ne '
  while (/pub use (\w+)::([^;]*);/g) {
    my ($stage, $rest) = ($1, $2);
    $rest =~ s/.*\{//s; $rest =~ s/\}//;
    $rest =~ s/^.*:://s unless $2 =~ /\{/;
    for my $n (split /\s*,\s*/, $rest) { $n =~ s/\s//g; print "$n $stage\n" if $n ne "" }
  }' src/lib.rs)

stage_of() {
  local name=$1
  if [ "$(rank "$name")" -ge 0 ]; then
    echo "$name"
    return
  fi
  awk -v n="$name" '$1 == n { print $2; exit }' <<<"$reexports"
}

bad=0
for stage in "${order[@]}"; do
  files=$( { [ -d "src/$stage" ] && find "src/$stage" -name '*.rs'; [ -f "src/$stage.rs" ] && echo "src/$stage.rs"; } || true)
  [ -n "$files" ] || continue
  own=$(rank "$stage")
  # file:line:crate::name for every path into the crate.
  while IFS= read -r hit; do
    [ -n "$hit" ] || continue
    name=${hit##*crate::}
    target=$(stage_of "$name")
    [ -n "$target" ] || continue
    if [ "$(rank "$target")" -gt "$own" ]; then
      echo "up the stages: ${hit%%:crate::*}: $stage names $target (crate::$name)"
      bad=1
    fi
  done < <(grep -HnoE 'crate::[A-Za-z_][A-Za-z0-9_]*' $files | grep -v '::crate::' || true)
done

if [ "$bad" -ne 0 ]; then
  echo "stage order: ${order[*]}" >&2
  exit 1
fi
echo "stages run one way: ${order[*]}"
