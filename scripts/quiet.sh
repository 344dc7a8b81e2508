#!/usr/bin/env bash
# Runs a command (a benchmark) with the machine as quiet as we can make it: the .NET build servers
# (MSBuild nodes, the Roslyn compiler server) that linger after a build are stopped first, so that
# nothing else competes for the two cores while the benchmark measures.
# Usage: scripts/quiet.sh dotnet run -c Release --no-build --project bench/KernelGen.Benchmarks -- --filter ...
set -u
dotnet build-server shutdown >/dev/null 2>&1 || true
pkill -f VBCSCompiler >/dev/null 2>&1 || true
pkill -f 'MSBuild.dll' >/dev/null 2>&1 || true
sleep 1
exec "$@"
