/// Whether operations on tensors that require gradients are recorded.
///
/// The setting is a task-local value: it nests, and it is per task (and per
/// thread outside tasks), so a no-grad scope on one thread never stops another
/// thread from recording.
public enum GradMode {
    /// `true` unless inside ``withNoGrad(_:)`` (or `withGradEnabled(false)`).
    @TaskLocal public static var isEnabled = true

    /// `true` while a strategy traces a function (``Tensor/trace(at:of:)``):
    /// operations on tensors that do not require gradients are recorded too,
    /// so the graph holds the function as written, constants included, and the
    /// exact strategy computes them exactly instead of taking their rounded
    /// `Double`s as given.
    @TaskLocal public static var recordsConstants = false
}

/// Runs `body` without recording any operation, like PyTorch's `torch.no_grad()`.
///
/// Results computed inside have no `gradFn` and do not require gradients.
///
/// ```swift
/// let manual = withNoGrad { 2 * (predicted - real) }
/// manual.requiresGrad   // false
/// ```
@inlinable
public func withNoGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// Runs `body` with recording switched on or off, like `torch.set_grad_enabled`;
/// `withGradEnabled(true)` re-enables recording inside a no-grad scope.
///
/// ```swift
/// withNoGrad { withGradEnabled(true) { (x * 2).requiresGrad } }   // true when x requires grad
/// ```
@inlinable
public func withGradEnabled<Result>(_ enabled: Bool, _ body: () throws -> Result) rethrows -> Result {
    try GradMode.$isEnabled.withValue(enabled, operation: body)
}

/// Runs asynchronous `body` without recording any operation.
///
/// ```swift
/// let prediction = await withNoGrad { await model(input) }
/// ```
public func withNoGrad<Result>(
    isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
) async rethrows -> Result {
    try await GradMode.$isEnabled.withValue(false, operation: body, isolation: isolation)
}
