#!/usr/bin/env bash
# Adds every project under src/, tests/ (but tests/PackageConsumption), bench/ and samples/
# to KernelGen.sln, creating the solution if it is missing. Safe to re-run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [[ ! -f KernelGen.sln ]]; then
  dotnet new sln --format sln -n KernelGen
fi
mapfile -t projects < <(find src tests bench samples -name '*.csproj' \
  -not -path 'tests/PackageConsumption/*' -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null | sort)
if (( ${#projects[@]} > 0 )); then
  dotnet sln KernelGen.sln add "${projects[@]}"
fi
dotnet sln KernelGen.sln list
