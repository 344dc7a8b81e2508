#!/usr/bin/env bash
# Package consumption test: packs the KernelGen package into a local folder, checks its
# layout, then builds and runs a throwaway consumer project (tests/PackageConsumption/*.template)
# in a fresh temporary folder that gets KernelGen only from that .nupkg (by PackageReference,
# through a NuGet.config and an empty NUGET_PACKAGES folder), with warnings as errors.
# Prints PASS or FAIL on its last line; exit code 0 only on PASS.
#
# Environment: KERNELGEN_PACKAGE_DIR (default artifacts/package) receives the .nupkg;
# KEEP_CONSUMER=1 keeps the temporary consumer folder (it is always kept on failure).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

PKG_DIR=${KERNELGEN_PACKAGE_DIR:-$ROOT/artifacts/package}
TEMPLATE_DIR=$ROOT/tests/PackageConsumption
WORK=""

fail() {
  echo "package-test: $*" >&2
  [[ -n "$WORK" ]] && echo "package-test: consumer kept in $WORK" >&2
  echo "package-test: FAIL"
  exit 1
}

VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n1)
[[ -n "$VERSION" ]] || fail "no <Version> in Directory.Build.props"

# --- 1. Pack ---------------------------------------------------------------------------------
rm -rf "$PKG_DIR"
mkdir -p "$PKG_DIR"
echo "== dotnet pack src/Runtime -c Release -o $PKG_DIR"
dotnet pack src/Runtime -c Release -o "$PKG_DIR" -nodeReuse:false -p:TreatWarningsAsErrors=true -warnaserror \
  || fail "dotnet pack failed"
NUPKG="$PKG_DIR/KernelGen.$VERSION.nupkg"
[[ -f "$NUPKG" ]] || fail "expected $NUPKG; the folder has: $(ls "$PKG_DIR")"
count=$(find "$PKG_DIR" -name '*.nupkg' | wc -l)
(( count == 1 )) || fail "expected one package, found $count: $(ls "$PKG_DIR")"

# --- 2. Layout -------------------------------------------------------------------------------
list_zip() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"
  else
    unzip -Z1 "$1"
  fi
}
read_zip_entry() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode("utf-8-sig"))' "$1" "$2"
  else
    unzip -p "$1" "$2"
  fi
}
entries=$(list_zip "$NUPKG") || fail "cannot read $NUPKG"
echo "== package entries"
echo "$entries" | sed 's/^/   /'
required=(analyzers/dotnet/cs/KernelGen.Generator.dll)
for tfm in net8.0 net10.0; do
  for f in KernelGen.Runtime.dll KernelGen.Runtime.xml KernelGen.Attributes.dll KernelGen.Attributes.xml; do
    required+=("lib/$tfm/$f")
  done
done
for f in "${required[@]}"; do
  grep -qxF "$f" <<<"$entries" || fail "package lacks $f"
done
if grep -q '^analyzers/' <<<"$entries" && grep '^analyzers/' <<<"$entries" | grep -qvxF analyzers/dotnet/cs/KernelGen.Generator.dll; then
  fail "unexpected files under analyzers/: $(grep '^analyzers/' <<<"$entries" | tr '\n' ' ')"
fi
nuspec=$(read_zip_entry "$NUPKG" KernelGen.nuspec) || fail "package lacks KernelGen.nuspec"
grep -q "<id>KernelGen</id>" <<<"$nuspec" || fail "nuspec id is not KernelGen"
grep -q "<version>$VERSION</version>" <<<"$nuspec" || fail "nuspec version is not $VERSION"
if grep -q '<dependency ' <<<"$nuspec"; then
  fail "the package has dependencies (it must have none): $(grep '<dependency ' <<<"$nuspec")"
fi
echo "== layout OK: KernelGen $VERSION, lib/net8.0 + lib/net10.0 (Runtime + Attributes + XML docs), analyzers/dotnet/cs/KernelGen.Generator.dll, no dependencies"

# --- 3. Consumer -----------------------------------------------------------------------------
# The machine's enabled NuGet sources (as `dotnet nuget list source` shows them), read from
# outside the repository; nuget.org if none.
mapfile -t sources < <(cd / && dotnet nuget list source --format short 2>/dev/null | awk '$1 == "E" { print $2 }')
(( ${#sources[@]} > 0 )) || sources=(https://api.nuget.org/v3/index.json)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kernelgen-consumer.XXXXXX")
cp "$TEMPLATE_DIR/Consumer.csproj.template" "$WORK/Consumer.csproj"
cp "$TEMPLATE_DIR/Program.cs.template" "$WORK/Program.cs"
# Stop MSBuild's upward search for Directory.Build.* and global.json-like settings.
echo '<Project />' > "$WORK/Directory.Build.props"
echo '<Project />' > "$WORK/Directory.Build.targets"
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"kernelgen-local\" value=\"$PKG_DIR\" />"
  i=0
  for s in "${sources[@]}"; do
    echo "    <add key=\"remote$i\" value=\"$s\" />"
    i=$((i + 1))
  done
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="kernelgen-local"><package pattern="KernelGen" /></packageSource>'
  i=0
  for s in "${sources[@]}"; do
    echo "    <packageSource key=\"remote$i\"><package pattern=\"*\" /></packageSource>"
    i=$((i + 1))
  done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$WORK/NuGet.config"
echo "== consumer in $WORK (sources: kernelgen-local=$PKG_DIR ${sources[*]})"

# A fresh package folder: a stale KernelGen $VERSION in a cache is never used.
export NUGET_PACKAGES="$WORK/packages"
(
  cd "$WORK" &&
  dotnet build Consumer.csproj -c Release -nodeReuse:false -p:KernelGenVersion="$VERSION" \
    -p:TreatWarningsAsErrors=true -warnaserror
) || fail "consumer build failed"

# The consumer's generator must be the one just packed.
restored="$NUGET_PACKAGES/kernelgen/$VERSION"
[[ -d "$restored" ]] || fail "KernelGen $VERSION was not restored into $NUGET_PACKAGES"
cmp -s "$restored/kernelgen.$VERSION.nupkg" "$NUPKG" || fail "the restored KernelGen $VERSION is not the package just packed"
ls "$WORK"/obj/Release/net10.0/generated/KernelGen.Generator/*/*.g.cs >/dev/null 2>&1 \
  || fail "the packaged generator wrote no source in the consumer"

echo "== run consumer (net10.0)"
"$WORK/bin/Release/net10.0/Consumer" || fail "consumer run failed"

if [[ "${KEEP_CONSUMER:-0}" != 1 ]]; then
  rm -rf "$WORK"
else
  echo "package-test: consumer kept in $WORK"
fi
echo "package-test: PASS"
