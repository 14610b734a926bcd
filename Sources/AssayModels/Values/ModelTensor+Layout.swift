extension ModelTensor.Storage {
    /// The elements at `indices`, in that order. Precondition: every index is in range (kernels
    /// check indices derived from input before calling).
    func gathering(_ indices: [Int]) -> Self {
        switch self {
        case .float(let v): .float(indices.map { v[$0] })
        case .double(let v): .double(indices.map { v[$0] })
        case .int64(let v): .int64(indices.map { v[$0] })
        case .string(let v): .string(indices.map { v[$0] })
        case .bool(let v): .bool(indices.map { v[$0] })
        }
    }

    /// The elements of `parts` one after another, or nil when the parts hold different kinds.
    static func concatenating(_ parts: [Self]) -> Self? {
        guard let first = parts.first else { return nil }
        switch first {
        case .float:
            var out: [Float] = []
            for p in parts { guard case .float(let v) = p else { return nil }; out += v }
            return .float(out)
        case .double:
            var out: [Double] = []
            for p in parts { guard case .double(let v) = p else { return nil }; out += v }
            return .double(out)
        case .int64:
            var out: [Int64] = []
            for p in parts { guard case .int64(let v) = p else { return nil }; out += v }
            return .int64(out)
        case .string:
            var out: [String] = []
            for p in parts { guard case .string(let v) = p else { return nil }; out += v }
            return .string(out)
        case .bool:
            var out: [Bool] = []
            for p in parts { guard case .bool(let v) = p else { return nil }; out += v }
            return .bool(out)
        }
    }
}
