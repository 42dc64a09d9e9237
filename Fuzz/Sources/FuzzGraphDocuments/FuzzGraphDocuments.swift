import AutogradFuzzing

/// libFuzzer's entry point for graph documents (see `GraphDocumentHarness`): the bytes are a JSON document.
///
/// Built only with libFuzzer, which supplies `main` (this module has none):
///
/// ```sh
/// scripts/fuzz.sh 60 FuzzGraphDocuments                                   # from the repository's root
/// SWIFT_BACKTRACE=enable=no /tmp/fuzz-autograd/release/FuzzGraphDocuments Fuzz/Corpus/GraphDocuments -max_total_time=60
/// ```
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGraphDocuments(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    GraphDocumentHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
