import Foundation

// Thin wrappers so stage files need not import Foundation for three functions.
@inline(__always) func sine(_ x: Double) -> Double { Foundation.sin(x) }
@inline(__always) func cosine(_ x: Double) -> Double { Foundation.cos(x) }
@inline(__always) func tangent(_ x: Double) -> Double { Foundation.tan(x) }
