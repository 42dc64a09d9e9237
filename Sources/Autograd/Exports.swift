// The umbrella module: `import Autograd` gives the whole library.
@_exported import AutogradCore
@_exported import AutogradExact
