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

    /// Add as the session runs it when an input is dead after the node (`into`: its position)
    /// or a Relu is fused after it (`relu`: the Relu node's context): for two float32 inputs of
    /// the same shape, `z[i] = a[i] + b[i]` (one IEEE add, the bits of ``arithmetic(_:_:_:)``),
    /// then with `relu` `z < 0 ? 0 : z` (the Relu kernel's formula), written into the dead
    /// input's buffer when it is held nowhere else (else into a new one). Other inputs go
    /// through ``arithmetic(_:_:_:)`` and ``relu(_:_:)``, which report errors with their own
    /// node's name.
    static func residualAdd(into dead: Int?, relu: OperatorContext?) -> ConsumingKernel {
        return { context, args throws(ModelError) in
            func floatShape(_ v: ModelValue?) -> [Int]? {
                if case .tensor(let t)? = v, t.elementType == .float32 { return t.shape }
                return nil
            }
            if args.count == 2, let shapeA = floatShape(args[0]), shapeA == floatShape(args[1]) {
                let target = dead ?? 0, other = 1 - target
                guard case .tensor(let t)? = args[target].take(), case .tensor(let o)? = args[other],
                      case .float(var z) = t.storage, case .float(let y) = o.storage else {
                    preconditionFailure("checked above")
                }
                let shape = t.shape
                _ = consume t
                let fused = relu != nil, swapped = target == 1
                z.withUnsafeMutableBufferPointer { zb in
                    y.withUnsafeBufferPointer { yb in
                        guard let zp = zb.baseAddress, let yp = yb.baseAddress else { return }
                        // a + b in the node's operand order (the order fixes a NaN's payload).
                        switch (fused, swapped) {
                        case (false, false): for i in 0..<zb.count { zp[i] = zp[i] + yp[i] }
                        case (false, true): for i in 0..<zb.count { zp[i] = yp[i] + zp[i] }
                        case (true, false):
                            for i in 0..<zb.count { let s = zp[i] + yp[i]; zp[i] = s < 0 ? 0 : s }
                        case (true, true):
                            for i in 0..<zb.count { let s = yp[i] + zp[i]; zp[i] = s < 0 ? 0 : s }
                        }
                    }
                }
                return [floatValue(z, shape)]
            }
            let sum = try arithmetic(context, args, .add)
            guard let relu else { return sum }
            return try NeuralNetworkOperators.relu(relu, sum)
        }
    }
}

/// A kernel that may move its inputs out of the argument list (the session passes a value
/// there only when no later node reads it, or lets the kernel copy on write).
typealias ConsumingKernel = @Sendable (OperatorContext, inout [ModelValue?]) throws(ModelError) -> [ModelValue]
