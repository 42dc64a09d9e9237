import RealModule

// `Float` graphs replay in single precision, for comparison with `Double` ones.
extension Float: ElementaryScalar {}
