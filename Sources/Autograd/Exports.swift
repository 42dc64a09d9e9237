// The umbrella module: `import Autograd` gives the whole library.
@_exported import AutogradCore
@_exported import AutogradExact
// Double matrix products through OpenBLAS: the core finds the conformance at
// run time, so importing the module is all it takes.
@_exported import AutogradBLAS
// Double tanh through vectorised C loops, found the same way.
@_exported import AutogradVectorKernels
