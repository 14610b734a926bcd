import Foundation

extension TensorOperators {
    /// Cast: converts every element to the type `to` names.
    ///
    /// Conversions follow C++ `static_cast` on x86-64, as ONNX Runtime's CPU kernel does:
    /// floats round to nearest; floats to integers truncate toward zero, and NaN, infinities
    /// and out-of-range values give the type's minimum (int64 and int32; int8 and uint8 keep
    /// the low bits of the int32 result); integers narrow by keeping the low bits; anything
    /// non-zero (NaN included) is `true`. Strings parse as numbers (an unparsable string is
    /// this node's error) and numbers print in Swift's shortest round-trip form.
    static let cast: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        let code = try context.int("to")
        guard let code32 = Int32(exactly: code) else { throw context.error("'to' \(code) is not an ONNX data type") }
        let to: ElementType
        do {
            to = try ElementType(onnx: code32, place: "Cast")
        } catch {
            throw context.error("cannot cast to type \(ElementType.onnxTypeNames[code32] ?? String(code)): not supported")
        }
        return [try context.output(to, shape: x.shape, try converted(x, to: to, context))]
    }

    private static func converted(_ x: ModelTensor, to: ElementType, _ context: OperatorContext) throws(ModelError) -> ModelTensor.Storage {
        if x.elementType == to { return x.storage }
        switch to {
        case .float32:
            switch x.storage {
            case .float(let v): return .float(v)
            case .double(let v): return .float(v.map { Float($0) })
            case .int64(let v): return .float(v.map { Float($0) })
            case .bool(let v): return .float(v.map { $0 ? 1 : 0 })
            case .string(let v): return .float(try v.map { s throws(ModelError) in try parse(s, context) { Float($0) } })
            }
        case .float64:
            switch x.storage {
            case .float(let v): return .double(v.map { Double($0) })
            case .double(let v): return .double(v)
            case .int64(let v): return .double(v.map { Double($0) })
            case .bool(let v): return .double(v.map { $0 ? 1 : 0 })
            case .string(let v): return .double(try v.map { s throws(ModelError) in try parse(s, context) { Double($0) } })
            }
        case .int64, .int32, .int8, .uint8:
            let wide: [Int64]
            switch x.storage {
            case .float(let v): wide = v.map { truncated(Double($0), to: to) }
            case .double(let v): wide = v.map { truncated($0, to: to) }
            case .int64(let v): wide = v
            case .bool(let v): wide = v.map { $0 ? 1 : 0 }
            case .string(let v): wide = try v.map { s throws(ModelError) in try parse(s, context) { Int64($0) } }
            }
            return .int64(wide.map { narrowed($0, to: to) })
        case .bool:
            switch x.storage {
            case .float(let v): return .bool(v.map { $0 != 0 })
            case .double(let v): return .bool(v.map { $0 != 0 })
            case .int64(let v): return .bool(v.map { $0 != 0 })
            case .bool(let v): return .bool(v)
            case .string(let v): return .bool(try v.map { s throws(ModelError) in try parse(s, context) { Double($0) } != 0 })
            }
        case .string:
            switch x.storage {
            case .float(let v): return .string(v.map { "\($0)" })
            case .double(let v): return .string(v.map { "\($0)" })
            case .int64(let v): return .string(v.map { "\($0)" })
            case .bool(let v): return .string(v.map { $0 ? "1" : "0" })
            case .string(let v): return .string(v)
            }
        }
    }

    private static func parse<T>(_ s: String, _ context: OperatorContext, _ make: (String) -> T?) throws(ModelError) -> T {
        guard let v = make(s.trimmingCharacters(in: .whitespaces)) else {
            throw context.error("cannot convert the string '\(s.prefix(40))' to a number")
        }
        return v
    }

    /// Float to integer as x86-64's truncating conversion does: toward zero, and the minimum of
    /// the conversion's width (64 bits for int64, 32 otherwise) for NaN and out-of-range values.
    private static func truncated(_ d: Double, to: ElementType) -> Int64 {
        if to == .int64 {
            guard d.isFinite, d > -9_223_372_036_854_777_856.0, d < 9_223_372_036_854_775_808.0 else { return Int64.min }
            return Int64(d)
        }
        guard d.isFinite, d > -2_147_483_649.0, d < 2_147_483_648.0 else { return Int64(Int32.min) }
        return Int64(d)
    }

    /// Keeps the low bits that fit `to`, as C++ narrowing does.
    private static func narrowed(_ v: Int64, to: ElementType) -> Int64 {
        switch to {
        case .int32: Int64(Int32(truncatingIfNeeded: v))
        case .int8: Int64(Int8(truncatingIfNeeded: v))
        case .uint8: Int64(UInt8(truncatingIfNeeded: v))
        default: v
        }
    }
}
