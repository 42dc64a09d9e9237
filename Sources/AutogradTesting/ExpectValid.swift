import Autograd
import Testing

// One line in a user's Swift Testing suite proves a custom op's rules right:
//
//     @Test func softplusIsValid() { expectValid(Softplus(), domain: -20...20) }
//
// Each function records an issue carrying the whole validation report (the rule,
// the input and the element that disagree, with both values) unless the op is
// valid. See `OpValidation` for what is checked.

/// Expects a field op of one tensor to be valid (checked exactly).
public func expectValid(
    _ operation: some UnaryOperation, shape: Shape = [8], domain: ClosedRange<Double> = -2...2,
    seed: UInt64 = 0, floatBound: Double = 8, sourceLocation: SourceLocation = #_sourceLocation
) {
    record({ try OpValidation.validate(operation, shape: shape, domain: domain, seed: seed, floatBound: floatBound) },
           sourceLocation)
}

/// Expects an elementary-function op of one tensor to be valid (checked over
/// big floats of `precision` bits).
public func expectValid(
    _ operation: some ElementaryUnaryOperation, shape: Shape = [8], domain: ClosedRange<Double> = -2...2,
    seed: UInt64 = 0, floatBound: Double = 8, precision: Int = 256,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    record({
        try OpValidation.validate(
            operation, shape: shape, domain: domain, seed: seed, floatBound: floatBound, precision: precision
        )
    }, sourceLocation)
}

/// Expects a field op of two tensors to be valid (checked exactly).
public func expectValid(
    _ operation: some BinaryOperation, shapes: (Shape, Shape) = ([8], [8]), domain: ClosedRange<Double> = -2...2,
    seed: UInt64 = 0, floatBound: Double = 8, sourceLocation: SourceLocation = #_sourceLocation
) {
    record({ try OpValidation.validate(operation, shapes: shapes, domain: domain, seed: seed, floatBound: floatBound) },
           sourceLocation)
}

/// Records the report as an issue unless it passed (or the error, if validation threw).
private func record(_ validate: () throws -> OpValidationReport, _ sourceLocation: SourceLocation) {
    do {
        let report = try validate()
        if !report.passed { Issue.record(Comment(rawValue: report.description), sourceLocation: sourceLocation) }
    } catch {
        Issue.record(error, "validation could not run", sourceLocation: sourceLocation)
    }
}
