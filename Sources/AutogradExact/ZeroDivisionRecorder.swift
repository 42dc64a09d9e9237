/// Catches exact divisions by zero during a replay, so that the exact
/// strategy can throw ``ExactError/divisionByZeroInOperation(_:)`` naming the op,
/// where `Rational`'s `/` operator (which cannot throw) would otherwise trap.
///
/// While a recorder is installed for the current task, `a / 0` counts the
/// division and returns 0 instead of trapping; the replay checks the count
/// after each op and throws. Outside a replay, `/` by zero traps as
/// documented.
final class ZeroDivisionRecorder: @unchecked Sendable {
    // @unchecked: only the task that installed the recorder reads or writes it.

    /// The recorder of the current task's replay, if any.
    @TaskLocal static var current: ZeroDivisionRecorder?

    /// How many divisions by zero happened since the recorder was installed.
    private(set) var count = 0

    /// Counts one division by zero.
    func record() { count += 1 }

    /// Runs `body` with a fresh recorder installed.
    static func recording<Result>(_ body: () throws -> Result) rethrows -> Result {
        try $current.withValue(ZeroDivisionRecorder()) { try body() }
    }
}
