#!/usr/bin/env bash
# A short, bounded fuzz round inside make check: the libFuzzer harnesses of
# tests/fuzz (config loader, command-line number parsers, reference tables) for
# TCE_FUZZ_SECONDS (15) each, when clang and its libFuzzer runtime are
# installed; otherwise it says it skipped and why.  `make fuzz` runs longer.
source "$(dirname "$0")/lib.bash"
seconds=${TCE_FUZZ_SECONDS:-15}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$probe/p.c"
if ! command -v "${FUZZ_CC:-clang}" >/dev/null ||
    ! "${FUZZ_CC:-clang}" -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" 2>/dev/null; then
    echo "# skipped: no clang with libFuzzer (apt-get install clang libclang-rt-14-dev)"
    exit 0
fi
check "make fuzz (${seconds} s per harness)" make --no-print-directory fuzz FUZZ_SECONDS="$seconds"
[ "$fails" -eq 0 ]
