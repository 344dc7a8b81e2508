#!/usr/bin/env bash
# Runs the benchmark classes the charts show (BenchmarkDotNet, --job short, one process per method and shape: about
# 40 minutes on the 2-core machine of docs/benchmarks.md) and draws docs/benchmarks/*.png from their CSV reports.
#   scripts/charts.sh            run the benchmarks, then draw
#   scripts/charts.sh --draw     only draw, from the reports a previous run left in $ARTIFACTS/results
# ARTIFACTS (default BenchmarkDotNet.Artifacts/charts) is where BenchmarkDotNet writes; OUT (default docs/benchmarks) the PNGs.
# Run it on a quiet machine: every benchmark process is timed on its own (docs/benchmarks.md, "The ratios the team must show").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ARTIFACTS="${ARTIFACTS:-BenchmarkDotNet.Artifacts/charts}"
OUT="${OUT:-docs/benchmarks}"
B=KernelGen.Benchmarks

if [[ "${1:-}" != "--draw" ]]; then
  dotnet build -c Release bench/KernelGen.Benchmarks -warnaserror --nologo -v q
  run() {
    echo "==== $(date +%T) $*"
    scripts/quiet.sh dotnet run -c Release --no-build --project bench/KernelGen.Benchmarks -- --job short --artifacts "$ARTIFACTS" "$@"
  }
  run --filter "$B.SoftmaxAlgorithms.*"
  run --filter "$B.LogSoftmaxAlgorithms.Dispatched_Auto" "$B.LogSoftmaxAlgorithms.Avx512_*" "$B.LogSoftmaxAlgorithms.TensorPrimitives_*" \
      "$B.LogSoftmaxAlgorithms.OnnxRuntime_*" "$B.LogSoftmaxAlgorithms.Copy"
  run --filter "$B.SoftmaxWidth64.*" "$B.ParallelSoftmaxBenchmarks.*"
  run --filter "$B.CrossEntropyBenchmarks.*"
  run --filter "$B.LayerNormBenchmarks.*" "$B.RmsNormBenchmarks.*"
fi

echo "==== $(date +%T) drawing from $ARTIFACTS/results into $OUT"
dotnet run -c Release --project bench/KernelGen.Charts -- --results "$ARTIFACTS/results" --out "$OUT"
