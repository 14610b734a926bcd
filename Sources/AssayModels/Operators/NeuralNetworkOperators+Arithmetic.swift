extension NeuralNetworkOperators {
    /// The four element-wise arithmetic operators.
    enum ArithmeticOperation: String {
        case add = "Add", subtract = "Sub", multiply = "Mul", divide = "Div"
    }

    /// Add, Sub, Mul, Div with NumPy broadcasting, on two float32 or two integer inputs of the
    /// same type.
    ///
    /// Float32: one IEEE operation per element. Integers: wrapping `+ − ×` (two's complement,
    /// as ONNX Runtime's C++ does in practice) and division truncated toward zero; dividing by
    /// zero throws.
    static func arithmetic(_ context: OperatorContext, _ inputs: [ModelValue?], _ operation: ArithmeticOperation) throws(ModelError) -> [ModelValue] {
        let a = try context.tensor(inputs, 0), b = try context.tensor(inputs, 1)
        guard let broadcast = Broadcast(a.shape, b.shape) else {
            throw context.error("input shapes \(a.shape) and \(b.shape) do not broadcast (aligned from the right, each pair of dimensions must be equal or 1). Check the shapes the model was exported with")
        }
        _ = try checkedCount(context, broadcast.shape)
        switch (a.storage, b.storage) {
        case (.float(let x), .float(let y)) where b.shape.count <= a.shape.count && a.shape.suffix(b.shape.count).elementsEqual(b.shape) && !y.isEmpty:
            // B repeats along A's leading dimensions (a bias): no index arithmetic.
            return [floatValue(Self.repeating(x, y, operation), a.shape)]
        case (.float(let x), .float(let y)):
            let z: [Float]
            switch operation {
            case .add: z = broadcast.apply(x, y) { $0 + $1 }
            case .subtract: z = broadcast.apply(x, y) { $0 - $1 }
            case .multiply: z = broadcast.apply(x, y) { $0 * $1 }
            case .divide: z = broadcast.apply(x, y) { $0 / $1 }
            }
            return [floatValue(z, broadcast.shape)]
        case (.int64(let x), .int64(let y)) where a.elementType == b.elementType:
            let z: [Int64]
            switch operation {
            case .add: z = broadcast.apply(x, y) { $0 &+ $1 }
            case .subtract: z = broadcast.apply(x, y) { $0 &- $1 }
            case .multiply: z = broadcast.apply(x, y) { $0 &* $1 }
            case .divide:
                if y.contains(0) { throw context.error("integer division by zero (input 1 has a zero element)") }
                z = broadcast.apply(x, y) { $0.dividedReportingOverflow(by: $1).partialValue }
            }
            do {
                return [.tensor(try ModelTensor(elementType: a.elementType, shape: broadcast.shape, storage: .int64(z)))]
            } catch {
                throw context.error("cannot build the output: \(error)")
            }
        default:
            throw context.error("inputs must both be float32 or both the same integer type, got \(a.elementType) and \(b.elementType)")
        }
    }

    /// `x[i] ∘ y[i mod y.count]` for every `i`: `y` fills the trailing dimensions of `x`.
    static func repeating(_ x: [Float], _ y: [Float], _ operation: ArithmeticOperation) -> [Float] {
        let period = y.count
        return x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                [Float].filled(count: xb.count) { z in
                    guard let x0 = xb.baseAddress, let yp = yb.baseAddress, period > 0 else { return }
                    var offset = 0
                    while offset < xb.count {
                        let xp = x0 + offset, zp = z + offset
                        switch operation {
                        case .add: for j in 0..<period { zp[j] = xp[j] + yp[j] }
                        case .subtract: for j in 0..<period { zp[j] = xp[j] - yp[j] }
                        case .multiply: for j in 0..<period { zp[j] = xp[j] * yp[j] }
                        case .divide: for j in 0..<period { zp[j] = xp[j] / yp[j] }
                        }
                        offset += period
                    }
                }
            }
        }
    }
}
