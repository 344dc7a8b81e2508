#!/usr/bin/env bash
# The test command of KernelGen: ./scripts/test.sh
#
# On a Debian 12 machine with the .NET 10 SDK it installs what is missing (as root: the arm64
# architecture, qemu-user-static and the arm64 libraries the .NET host needs), then:
#   build       KernelGen.sln, Release, warnings as errors
#   generator   tests/KernelGen.Generator.Tests (snapshots, diagnostics, incrementality)
#   runtime     tests/KernelGen.Runtime.Tests under the ISA matrix, each run asserting the
#               path it expects (KERNELGEN_EXPECTED_PATH): Avx512, Avx2, Vector128, Scalar
#   arm64       the runtime tests published for linux-arm64 and run under qemu (Neon)
#   package     scripts/package-test.sh (pack, then a fresh consumer project)
#   bench       the benchmarks' --smoke run, their --check (every method's result), one --ratios
#               row; sample: samples/QuickStart
# Each step prints its name, duration and result; full logs go to artifacts/test-logs/.
# xunit steps count their tests (a skipped or not-run test counts as failed); any other step
# counts as one test. The last line is `N passed, M failed`; the exit code is 0 only if M is 0.
#
# Environment: KERNELGEN_SKIP_INSTALL=1 skips the apt step; KERNELGEN_SKIP_ARM64=1 skips the
# arm64 steps (each counts as failed: a skip is not a pass).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1 DOTNET_GENERATE_ASPNET_CERTIFICATE=false
# MSBuild nodes end with each build (nothing lingers holding files or this script's output).
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
if [[ -z "${TERM:-}" || "${TERM:-}" == dumb ]]; then export NO_COLOR=1; fi

LOGS="$ROOT/artifacts/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

PASSED=0
FAILED=0
STEPS=()         # "result  duration  name  (detail)" lines for the closing table
BUILD_OK=0
START_ALL=$EPOCHREALTIME

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", b - a }'; }
slug() { echo "$1" | tr -c 'A-Za-z0-9._-' '-' | sed 's/-\{2,\}/-/g; s/-$//'; }

record() { # record NAME RESULT DURATION DETAIL
  local line
  line=$(printf '%-4s %8s  %s' "$2" "$3" "$1")
  [[ -n "$4" ]] && line+="  ($4)"
  STEPS+=("$line")
  echo "$line"
}

# run_step NAME KIND COMMAND...   KIND: plain (1 test) or xunit (count its summary line)
run_step() {
  local name=$1 kind=$2
  shift 2
  local log
  log="$LOGS/$(printf '%02d' $((${#STEPS[@]} + 1)))-$(slug "$name").log"
  echo "---- $name"
  echo "     \$ $*" >"$log"
  local t0 rc
  t0=$(now)
  "$@" >>"$log" 2>&1
  rc=$?
  local dur
  dur=$(elapsed "$t0" "$(now)")
  echo "     exit code $rc" >>"$log"
  if [[ $kind == xunit ]]; then
    # xunit v3: "   Assembly  Total: N, Errors: E, Failed: F, Skipped: S, Not Run: R, Time: ..."
    local summary
    summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+, Not Run: [0-9]+' | tail -n1)
    if [[ -z "$summary" ]]; then
      FAILED=$((FAILED + 1))
      record "$name" FAIL "$dur" "exit code $rc, no xunit summary; see $log"
      tail -n 20 "$log" | sed 's/^/     | /'
      return
    fi
    local total errors failed skipped notrun passed bad
    total=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"$summary")
    errors=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$summary")
    failed=$(sed -E 's/.*Failed: ([0-9]+).*/\1/' <<<"$summary")
    skipped=$(sed -E 's/.*Skipped: ([0-9]+).*/\1/' <<<"$summary")
    notrun=$(sed -E 's/.*Not Run: ([0-9]+).*/\1/' <<<"$summary")
    passed=$((total - failed - skipped - notrun))
    ((passed < 0)) && passed=0
    bad=$((failed + skipped + notrun + errors))
    local detail="total $total, failed $failed, skipped $skipped, not run $notrun, errors $errors"
    if ((total == 0)); then
      bad=$((bad + 1))
      detail+=", ran no test"
    elif ((rc != 0 && bad == 0)); then
      bad=1
      detail+=", but exit code $rc"
    fi
    PASSED=$((PASSED + passed))
    FAILED=$((FAILED + bad))
    if ((bad == 0)); then
      record "$name" PASS "$dur" "$passed passed"
    else
      record "$name" FAIL "$dur" "$detail; see $log"
      sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '\[(FAIL|SKIP|NOT RUN)\][[:space:]]*$' | head -n 15 | sed 's/^/     | /'
    fi
  else
    if ((rc == 0)); then
      PASSED=$((PASSED + 1))
      record "$name" PASS "$dur" ""
    else
      FAILED=$((FAILED + 1))
      record "$name" FAIL "$dur" "exit code $rc; see $log"
      tail -n 20 "$log" | sed 's/^/     | /'
    fi
  fi
}

fail_step() { # fail_step NAME REASON: a step that could not run counts as one failure
  FAILED=$((FAILED + 1))
  echo "---- $1"
  record "$1" FAIL "0.0s" "$2"
}

# --- install ---------------------------------------------------------------------------------
APT_PACKAGES=(qemu-user-static libc6:arm64 libstdc++6:arm64 libssl3:arm64)

missing_packages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

install_prerequisites() {
  command -v dotnet >/dev/null || { echo "dotnet is not on PATH: install the .NET 10 SDK"; return 1; }
  dotnet --version
  local missing
  missing=$(missing_packages)
  if [[ -z "$missing" ]] && command -v qemu-aarch64-static >/dev/null; then
    echo "already installed: ${APT_PACKAGES[*]}"
    return 0
  fi
  echo "missing: $missing"
  local sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "not root and no passwordless sudo: cannot install $missing"
      return 1
    fi
  fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo[@]}" dpkg --add-architecture arm64 || return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  local attempt
  for attempt in 1 2; do
    # shellcheck disable=SC2086
    "${sudo[@]}" apt-get update -q &&
      "${sudo[@]}" apt-get install -y -q --no-install-recommends $missing && break
    [[ $attempt == 2 ]] && return 1
    echo "== apt failed; retrying in 10 s"
    sleep 10
  done
  command -v qemu-aarch64-static
}

if [[ "${KERNELGEN_SKIP_INSTALL:-0}" == 1 ]]; then
  fail_step "install prerequisites" "skipped: KERNELGEN_SKIP_INSTALL=1"
else
  run_step "install prerequisites (qemu-user-static, arm64 libs)" plain install_prerequisites
fi

# --- build -----------------------------------------------------------------------------------
build_solution() {
  local attempt
  for attempt in 1 2 3; do
    dotnet build KernelGen.sln -c Release -warnaserror -p:TreatWarningsAsErrors=true -nodeReuse:false && return 0
    # Another build in the same tree may hold an output file: retry only that.
    if [[ $attempt -lt 3 ]] && grep -qE 'being used by another process|MSB3026|MSB3027|MSB3021' "$BUILD_LOG" 2>/dev/null; then
      echo "== a file was in use; retrying ($attempt)"
      sleep 5
      continue
    fi
    return 1
  done
  return 1
}
BUILD_LOG="$LOGS/$(printf '%02d' $((${#STEPS[@]} + 1)))-build-KernelGen.sln-Release-warnaserror.log"
run_step "build KernelGen.sln (Release, warnaserror)" plain build_solution
[[ ${STEPS[-1]} == PASS* ]] && BUILD_OK=1

# --- xunit test executables ------------------------------------------------------------------
test_exe() { echo "tests/$1/bin/Release/net10.0/$1"; }

run_xunit() { # run_xunit NAME PROJECT [ENV=VALUE...]
  local name=$1 project=$2
  shift 2
  if [[ ! -d tests/$project ]]; then
    fail_step "$name" "tests/$project does not exist"
    return
  fi
  if ((!BUILD_OK)); then
    fail_step "$name" "not run: the build failed"
    return
  fi
  local exe
  exe=$(test_exe "$project")
  if [[ ! -x $exe ]]; then
    fail_step "$name" "$exe was not built"
    return
  fi
  run_step "$name" xunit timeout 900 env "$@" "$exe" -noColor
}

if [[ -d tests/KernelGen.Generator.Tests ]]; then
  run_xunit "generator tests" KernelGen.Generator.Tests
else
  echo "---- generator tests: tests/KernelGen.Generator.Tests is absent; not run"
fi

run_xunit "runtime tests, ISA: default (expect Avx512)" KernelGen.Runtime.Tests \
  KERNELGEN_EXPECTED_PATH=Avx512
run_xunit "runtime tests, ISA: DOTNET_EnableAVX512=0 (expect Avx2)" KernelGen.Runtime.Tests \
  DOTNET_EnableAVX512=0 KERNELGEN_EXPECTED_PATH=Avx2
run_xunit "runtime tests, ISA: DOTNET_EnableAVX2=0 (expect Vector128)" KernelGen.Runtime.Tests \
  DOTNET_EnableAVX2=0 KERNELGEN_EXPECTED_PATH=Vector128
run_xunit "runtime tests, ISA: DOTNET_EnableHWIntrinsic=0 (expect Scalar)" KernelGen.Runtime.Tests \
  DOTNET_EnableHWIntrinsic=0 KERNELGEN_EXPECTED_PATH=Scalar

# --- arm64 under qemu ------------------------------------------------------------------------
ARM64_OUT="$ROOT/artifacts/out-arm64"
publish_arm64() {
  rm -rf "$ARM64_OUT"
  # RuntimeIdentifier=linux-arm64 and SelfContained=true come from scripts/arm64-publish.props
  # (for the test project only; see there why not `-r linux-arm64 --self-contained`).
  dotnet publish tests/KernelGen.Runtime.Tests/KernelGen.Runtime.Tests.csproj -c Release \
    -p:CustomBeforeDirectoryBuildProps="$ROOT/scripts/arm64-publish.props" \
    -o "$ARM64_OUT" -warnaserror -p:TreatWarningsAsErrors=true -nodeReuse:false || return 1
  file "$ARM64_OUT/KernelGen.Runtime.Tests" 2>/dev/null || true
  [[ -f "$ARM64_OUT/libcoreclr.so" && -x "$ARM64_OUT/KernelGen.Runtime.Tests" ]] || { echo "not a self-contained publish"; return 1; }
}
if [[ "${KERNELGEN_SKIP_ARM64:-0}" == 1 ]]; then
  fail_step "publish runtime tests for linux-arm64" "skipped: KERNELGEN_SKIP_ARM64=1"
  fail_step "runtime tests, arm64 under qemu (expect Neon)" "skipped: KERNELGEN_SKIP_ARM64=1"
elif [[ ! -d tests/KernelGen.Runtime.Tests ]]; then
  fail_step "publish runtime tests for linux-arm64" "tests/KernelGen.Runtime.Tests does not exist"
elif ((!BUILD_OK)); then
  fail_step "publish runtime tests for linux-arm64" "not run: the build failed"
  fail_step "runtime tests, arm64 under qemu (expect Neon)" "not run: the build failed"
else
  run_step "publish runtime tests for linux-arm64 (self-contained)" plain publish_arm64
  if [[ ${STEPS[-1]} != PASS* ]]; then
    fail_step "runtime tests, arm64 under qemu (expect Neon)" "not run: the publish failed"
  elif ! command -v qemu-aarch64-static >/dev/null; then
    fail_step "runtime tests, arm64 under qemu (expect Neon)" "qemu-aarch64-static is not installed"
  else
    # DOTNET_EnableWriteXorExecute=0: with W^X the JIT writes code through a second mapping of
    # the same memory, which qemu-user does not see as self-modifying code, so it can run stale
    # translations (seen here: NullReferenceExceptions in reflection stubs and "Illegal
    # instruction" aborts). Without W^X the JIT writes where the code runs and qemu notices.
    # 3000 s: the suite grows with each family (605 s for 998 tests on a quiet machine); the whole
    # script must stay well inside CI's 90 minutes.
    run_step "runtime tests, arm64 under qemu (expect Neon)" xunit timeout 3000 \
      env DOTNET_EnableWriteXorExecute=0 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
      KERNELGEN_EXPECTED_PATH=Neon KERNELGEN_TEST_SCALE=small \
      qemu-aarch64-static "$ARM64_OUT/KernelGen.Runtime.Tests" -noColor
  fi
fi

# --- package consumption ---------------------------------------------------------------------
run_step "package consumption (scripts/package-test.sh)" plain timeout 900 "$ROOT/scripts/package-test.sh"

# --- benchmarks smoke and sample -------------------------------------------------------------
if [[ -d bench/KernelGen.Benchmarks ]]; then
  if ((BUILD_OK)); then
    run_step "benchmarks smoke (--smoke)" plain timeout 600 \
      dotnet run -c Release --project bench/KernelGen.Benchmarks -- --smoke
    # Every benchmarked method (kernels, peers, copies and floors) run once at each of its shapes, its result checked.
    run_step "benchmarks correctness (--check, every method at every shape)" plain timeout 900 \
      dotnet run -c Release --no-build --project bench/KernelGen.Benchmarks -- --check
    # The paired-ratio mode on one small target: it prepares, times and prints (the figure itself is not judged here).
    run_step "benchmarks paired ratio (--ratios Width = 64)" plain timeout 300 \
      dotnet run -c Release --no-build --project bench/KernelGen.Benchmarks -- --ratios "Width = 64"
  else
    fail_step "benchmarks smoke (--smoke)" "not run: the build failed"
  fi
else
  echo "---- benchmarks smoke: bench/KernelGen.Benchmarks is absent; not run"
fi
if [[ -d samples/QuickStart ]]; then
  if ((BUILD_OK)); then
    run_step "sample samples/QuickStart" plain timeout 300 \
      dotnet run -c Release --project samples/QuickStart
  else
    fail_step "sample samples/QuickStart" "not run: the build failed"
  fi
else
  echo "---- sample: samples/QuickStart is absent; not run"
fi

# --- summary ---------------------------------------------------------------------------------
# In CI nothing else builds on the machine: stop the compiler server so no process outlives us.
if [[ -n "${CI:-}" ]]; then
  dotnet build-server shutdown >/dev/null 2>&1 || true
fi
echo
echo "==== summary ($(elapsed "$START_ALL" "$(now)") in all; logs in artifacts/test-logs/)"
printf '%s\n' "${STEPS[@]}"
echo
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
