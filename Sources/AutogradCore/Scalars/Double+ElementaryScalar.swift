import RealModule

// `Double` already has `init(_: Double)`, field arithmetic and, through
// swift-numerics, every elementary function.
extension Double: ElementaryScalar {}
