extension TensorOperators {
    /// Constant: the tensor in its one value attribute (`value`, or `value_float(s)`,
    /// `value_int(s)`, `value_string(s)`).
    static let constant: OperatorKernel = { context, _ throws(ModelError) in
        let attributes = context.node.attributes
        let present = ["value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings"]
            .filter { attributes[$0] != nil }
        guard present.count == 1, let name = present.first, let attribute = attributes[name] else {
            throw context.error("needs exactly one value attribute, got \(present.isEmpty ? "none" : present.joined(separator: ", "))")
        }
        switch (name, attribute) {
        case ("value", .tensor(let t)): return [.tensor(t)]
        case ("value_float", .float(let v)): return [try context.output(.float32, shape: [], .float([v]))]
        case ("value_floats", .floats(let v)): return [try context.output(.float32, shape: [v.count], .float(v))]
        case ("value_int", .int(let v)): return [try context.output(.int64, shape: [], .int64([v]))]
        case ("value_ints", .ints(let v)): return [try context.output(.int64, shape: [v.count], .int64(v))]
        case ("value_string", .string(let v)): return [try context.output(.string, shape: [], .string([v]))]
        case ("value_strings", .strings(let v)): return [try context.output(.string, shape: [v.count], .string(v))]
        default: throw context.error("attribute '\(name)' has the wrong type (\(attribute))")
        }
    }
}
