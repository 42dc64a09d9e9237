import AutogradFuzzing

/// libFuzzer's entry point for random op sequences on random shapes (see `OperationHarness` and `Program`): the bytes decode into a program, which every strategy and `backward()` differentiate.
///
/// Built only with libFuzzer, which supplies `main` (this module has none):
///
/// ```sh
/// scripts/fuzz.sh 60 FuzzOperations                                   # from the repository's root
/// SWIFT_BACKTRACE=enable=no /tmp/fuzz-autograd/release/FuzzOperations Fuzz/Corpus/Operations -max_total_time=60
/// /tmp/fuzz-autograd/release/FuzzOperations crash-1234abcd            # replays one input
/// ```
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOperations(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    OperationHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
