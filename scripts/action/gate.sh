#!/usr/bin/env bash
# The GitHub Action's gate step: runs `preflight ci` with the action's inputs, writes its reports
# to INPUT_OUT, puts the Markdown summary on the job's page and the exit code in the step's
# outputs. It never fails the step itself, so the SARIF upload and the comment still run; the
# action's last step turns the exit code into the job's result.
#
# Environment: INPUT_DOMAIN, INPUT_CONFIG, INPUT_ENV_FILE, INPUT_CHECKOUT, INPUT_FAIL_ON,
# INPUT_OUT, INPUT_ARGS (more flags, split on spaces), PREFLIGHT_BIN (default: preflight on the
# PATH), and the runner's GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
set -uo pipefail

out=${INPUT_OUT:-preflight-reports}
args=(ci)
[ -n "${INPUT_DOMAIN:-}" ] && args+=("$INPUT_DOMAIN")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_ENV_FILE:-}" ] && args+=(--env "$INPUT_ENV_FILE")
args+=(--checkout "${INPUT_CHECKOUT:-.}" --fail-on "${INPUT_FAIL_ON:-fail}" --out "$out")
# Extra flags are the workflow author's, split on spaces on purpose (no quoting inside).
# shellcheck disable=SC2206
[ -n "${INPUT_ARGS:-}" ] && args+=(${INPUT_ARGS})

"${PREFLIGHT_BIN:-preflight}" "${args[@]}"
code=$?

# A report is named in the outputs only when it was written (a usage error writes none).
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit-code=$code" >>"$GITHUB_OUTPUT"
  [ -f "$out/preflight.sarif" ] && echo "sarif=$out/preflight.sarif" >>"$GITHUB_OUTPUT"
  [ -f "$out/preflight.junit.xml" ] && echo "junit=$out/preflight.junit.xml" >>"$GITHUB_OUTPUT"
  [ -f "$out/preflight.md" ] && echo "summary=$out/preflight.md" >>"$GITHUB_OUTPUT"
fi
if [ -f "$out/preflight.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out/preflight.md" >>"$GITHUB_STEP_SUMMARY"
fi
case $code in
  0) echo "Preflight: ready." ;;
  1) echo "::error::Preflight: not ready. The problems are in the job summary and under Security → Code scanning." ;;
  4) echo "::warning::Preflight: some parts could not look, so this run is not a pass." ;;
  2) echo "::error::Preflight: the settings or inputs are wrong (see the message above)." ;;
  *) echo "::error::Preflight could not run (exit $code)." ;;
esac
exit 0
