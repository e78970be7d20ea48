#!/usr/bin/env bash
# Runs every suite: engine, local AWS and the end-to-end scenarios on local-aws and moto (mocha), Pulumi (mocha on
# mocks + tsc), Jenkins side (Gradle: Groovy compile, CodeNarc, JUnit incl. end-to-end against the committed bundle),
# type check, lint, bundle check.
# Installs what a fresh Debian machine lacks (npm packages; Debian's groovy/gradle/junit4/codenarc as root).
# Fails unless every suite ran and passed.
set -uo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(groovy gradle junit4 libhamcrest-java libcodenarc-groovy-java)
missing=()
for p in "${DEB_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian packages: ${missing[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >/tmp/ssm-backup-apt.log 2>&1 \
      || { tail -20 /tmp/ssm-backup-apt.log; echo "apt-get install ${missing[*]} failed"; exit 1; }
  else
    echo "missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})"; exit 1
  fi
fi
# The end-to-end scenarios (test/e2e) also run against moto, an emulator independent of ours: never skipped.
python3 -c 'import moto, flask, boto3, sys; sys.exit(moto.__version__ != "5.2.1")' 2>/dev/null \
  || { echo "moto 5.2.1 is missing for python3 (the end-to-end scenarios run against it): pip install 'moto[server]==5.2.1' boto3"; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -d pulumi/node_modules ] || npm --prefix pulumi ci --no-audit --no-fund

declare -a names=() results=()
run() {
  local name=$1; shift
  echo; echo "== $name: $*"
  local start=$SECONDS
  if "$@"; then results+=("PASS"); else results+=("FAIL"); fi
  names+=("$name ($((SECONDS - start))s)")
}

run typecheck npx tsc -p tsconfig.json --noEmit
run lint npm run -s lint
run bundle node scripts/build.mjs --check
run engine npx mocha
run pulumi npm --prefix pulumi test
run groovy gradle --offline -q test

echo; echo "== summary"
status=0
for i in "${!names[@]}"; do
  echo "  ${results[$i]}  ${names[$i]}"
  [ "${results[$i]}" = PASS ] || status=1
done
[ ${#names[@]} -eq 6 ] || status=1
exit $status
