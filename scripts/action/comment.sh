#!/usr/bin/env bash
# The GitHub Action's comment step: posts the Markdown summary where the team reads it. On a pull
# request it keeps one comment up to date (found by its marker) instead of adding one per run;
# after a deploy (deployment_status, push) it comments on the deployed commit.
#
# Usage: comment.sh SUMMARY.md. Environment: GITHUB_TOKEN (sent only to GITHUB_API_URL, GitHub's
# API), and the runner's GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH and GITHUB_SHA.
set -euo pipefail

summary=${1:?the Markdown summary to post}
if [ ! -s "$summary" ]; then
  echo "Preflight: no summary to post."
  exit 0
fi
api=${GITHUB_API_URL:-https://api.github.com}
repo=${GITHUB_REPOSITORY:?}
marker='<!-- preflight-ci -->'
auth=(-H "Authorization: Bearer ${GITHUB_TOKEN:?}" -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28")
call() { curl --fail --silent --show-error --max-time 30 "${auth[@]}" "$@"; }
body=$(jq -Rs --arg m "$marker" '{body: ($m + "\n" + .)}' <"$summary")

event=${GITHUB_EVENT_PATH:-/dev/null}
pr=$(jq -r '.pull_request.number // empty' "$event" 2>/dev/null || true)
if [ -n "$pr" ]; then
  existing=$(call "$api/repos/$repo/issues/$pr/comments?per_page=100" |
    jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty')
  if [ -n "$existing" ]; then
    call -X PATCH "$api/repos/$repo/issues/comments/$existing" -d "$body" >/dev/null
    echo "Preflight: updated the summary on pull request #$pr."
  else
    call -X POST "$api/repos/$repo/issues/$pr/comments" -d "$body" >/dev/null
    echo "Preflight: posted the summary on pull request #$pr."
  fi
else
  sha=$(jq -r '.deployment.sha // empty' "$event" 2>/dev/null || true)
  sha=${sha:-${GITHUB_SHA:?}}
  call -X POST "$api/repos/$repo/commits/$sha/comments" -d "$body" >/dev/null
  echo "Preflight: posted the summary on commit $sha."
fi
