/// Catches the faults of an exact replay that `Rational`'s operators and
/// conversions, which cannot throw, would otherwise trap on: a division by
/// exact zero, and a `Double` constant of the function that is NaN or
/// infinite. The exact strategy then throws a typed ``ExactError`` that names
/// the op.
///
/// While a recorder is installed for the current task, `a / 0` and
/// `Rational(Double.nan)` record the fault and give 0 instead of trapping (and
/// an interval conversion of NaN or infinity records it too); the replay
/// checks after each op and throws. Outside a replay, they trap as documented.
///
/// ```swift
/// try ExactFaultRecorder.recording { /* replay the ops, checking `first` after each */ }
/// ```
final class ExactFaultRecorder: @unchecked Sendable {
    // @unchecked: only the task that installed the recorder reads or writes it.

    /// What went wrong in an exact replay.
    enum Fault: Equatable {
        /// A division by exact zero.
        case divisionByZero
        /// A constant that has no exact value.
        case notFinite(Double)
    }

    /// The recorder of the current task's replay, if any.
    @TaskLocal static var current: ExactFaultRecorder?

    /// The first fault since the recorder was installed.
    private(set) var first: Fault?

    /// Whether a comparison of a ``WordDyadic`` replay read an unknown value,
    /// which it could not answer: the replay's result is then discarded.
    var readUnknown = false

    /// Notes a fault (the first one is kept).
    func record(_ fault: Fault) {
        if first == nil { first = fault }
    }

    /// The typed error of the first fault, blaming `operation`; `nil` when
    /// there was none.
    func error(in operation: String) -> ExactError? {
        switch first {
        case nil: nil
        case .divisionByZero: .divisionByZeroInOperation(operation)
        case .notFinite(let value): .notFiniteConstant(value, operation: operation)
        }
    }

    /// Runs `body` with a fresh recorder installed.
    static func recording<Result>(_ body: () throws -> Result) rethrows -> Result {
        try $current.withValue(ExactFaultRecorder()) { try body() }
    }
}
