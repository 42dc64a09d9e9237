import AutogradFuzzing

/// libFuzzer's entry point for the number parsers, `Rational(_:)` and `BigFloat(_:precision:)` (see `NumberHarness`): each input is text, one number per line (three lines at most).
///
/// Built only with libFuzzer, which supplies `main` (this module has none):
///
/// ```sh
/// scripts/fuzz.sh 60 FuzzNumbers                                   # from the repository's root
/// SWIFT_BACKTRACE=enable=no /tmp/fuzz-autograd/release/FuzzNumbers Fuzz/Corpus/Numbers -max_total_time=60
/// /tmp/fuzz-autograd/release/FuzzNumbers crash-1234abcd            # replays one input
/// ```
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumbers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    NumberHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
