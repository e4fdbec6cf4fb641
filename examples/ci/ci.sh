#!/usr/bin/env bash
# t2t in a generic CI (GitLab CI, Jenkins, Buildkite, Azure Pipelines…): plan on a branch, apply
# on the main branch. Call it from a job with the repository checked out (full history) and the
# tenant secrets in the environment (the names the Project gives in fromEnv/passwordFromEnv):
#
#   PROJECT=projects/contoso-fabrikam CI_BRANCH=$CI_COMMIT_REF_NAME examples/ci/ci.sh
#
# Variables:
#   PROJECT      the project directory (default: .)
#   CI_BRANCH    the branch being built (default: the checked-out branch)
#   MAIN_BRANCH  the branch that is applied (default: main)
#   REMOTE       the git remote for the apply records (default: origin)
#   PLAN_FILE    on main: a plan saved by the branch's job (plan.json); applied exactly when present,
#                otherwise apply plans afresh with --auto-approve
#   T2T          how to run t2t (default: t2t)
#
# Outputs (branch): plan.md (post it as a merge-request comment), plan.json (keep it as an artifact).
# Exit: 0 success (branch: no changes), 2 branch plan has changes, 1 error or failed/refused apply.
set -euo pipefail

PROJECT=${PROJECT:-.}
MAIN_BRANCH=${MAIN_BRANCH:-main}
REMOTE=${REMOTE:-origin}
T2T=${T2T:-t2t}
CI_BRANCH=${CI_BRANCH:-$(git rev-parse --abbrev-ref HEAD)}
export NO_COLOR=1

fetch_records() {
  # apply records are git notes; a fresh CI clone does not have them
  git fetch --no-tags "$REMOTE" "refs/notes/t2t:refs/notes/t2t" 2>/dev/null || echo "t2t: no apply records on $REMOTE yet"
}

push_records() {
  if git rev-parse --verify --quiet refs/notes/t2t >/dev/null; then
    git push "$REMOTE" "refs/notes/t2t:refs/notes/t2t"
  fi
}

fetch_records
$T2T validate "$PROJECT"

if [ "$CI_BRANCH" != "$MAIN_BRANCH" ]; then
  set +e
  $T2T plan "$PROJECT" --output markdown --out plan.json --detailed-exitcode > plan.md
  code=$?
  set -e
  cat plan.md
  exit "$code"
fi

# main: a git identity for the notes commit, then apply and publish the record even on failure
git config user.name >/dev/null || git config user.name "t2t CI"
git config user.email >/dev/null || git config user.email "t2t-ci@localhost"
status=0
if [ -n "${PLAN_FILE:-}" ] && [ -f "$PLAN_FILE" ]; then
  $T2T apply "$PROJECT" --plan "$PLAN_FILE" || status=$?
else
  $T2T apply "$PROJECT" --auto-approve || status=$?
fi
push_records
$T2T history "$PROJECT" --limit 1 || true
exit "$status"
