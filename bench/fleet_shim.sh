#!/usr/bin/env bash
# bench/fleet_bench.py puts this first on PATH as `terraform`, and makes it SPS_PROVIDER_PYTHON
# (the Python the provider's launcher runs) as `python`: it runs the real program
# ($SPS_BENCH_TERRAFORM, $SPS_BENCH_PYTHON) and appends one line to $SPS_BENCH_CPU_LOG: the stack's
# directory, the terraform subcommand or `provider`, the CPU (user, system: bash's `time`, children
# included, so a terraform's line includes its providers') and the wall time.
exec 3>&2 4>&1
TIMEFORMAT='%3U	%3S	%3R'
if [ "${0##*/}" = python ]; then
  real=$SPS_BENCH_PYTHON what=provider
else
  real=$SPS_BENCH_TERRAFORM what=$1
fi
cpu=$( { time "$real" "$@" 2>&3 1>&4 3>&- 4>&-; } 2>&1 )
status=$?
printf '%s\t%s\t%s\n' "${PWD##*/}" "$what" "$cpu" >> "$SPS_BENCH_CPU_LOG"
exit "$status"
