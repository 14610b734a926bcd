extension TensorOperators {
    /// Concat: joins the inputs along `axis`; every other dimension must agree.
    static let concat: OperatorKernel = { context, inputs throws(ModelError) in
        var parts: [ModelTensor] = []
        for i in inputs.indices {
            if let t = try context.optionalTensor(inputs, i) { parts.append(t) }
        }
        guard let first = parts.first else { throw context.error("needs at least one input") }
        let rank = first.shape.count
        guard rank > 0 else { throw context.error("cannot concatenate scalars") }
        let axis = try context.normalizedAxis(try context.int("axis"), rank: rank)
        var total = 0
        for (i, p) in parts.enumerated() {
            guard p.elementType == first.elementType else {
                throw context.error("input \(i) is \(p.elementType) but input 0 is \(first.elementType)")
            }
            guard p.shape.count == rank,
                  p.shape.indices.allSatisfy({ $0 == axis || p.shape[$0] == first.shape[$0] })
            else {
                throw context.error("input \(i) has shape \(p.shape), which does not match \(first.shape) outside axis \(axis)")
            }
            let (sum, overflow) = total.addingReportingOverflow(p.shape[axis])
            guard !overflow else { throw context.error("the joined axis \(axis) is too long") }
            total = sum
        }
        var shape = first.shape
        shape[axis] = total
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        // Interleave: for each outer index, each part's block of shape[axis] * inner elements.
        var pieces: [ModelTensor.Storage] = []
        if outer == 1 {
            pieces = parts.map(\.storage)
        } else {
            for o in 0..<outer {
                for p in parts {
                    let block = p.shape[axis] * inner
                    pieces.append(p.storage.gathering(Array((o * block)..<((o + 1) * block))))
                }
            }
        }
        guard let storage = ModelTensor.Storage.concatenating(pieces) else {
            throw context.error("inputs hold different element types")
        }
        return [try context.output(first.elementType, shape: shape, storage)]
    }

    /// Gather: picks entries of `data` along `axis` by `indices` (negative indices count from
    /// the end). The output shape is data's with that axis replaced by indices' shape.
    static let gather: OperatorKernel = { context, inputs throws(ModelError) in
        let data = try context.tensor(inputs, 0)
        let indices = try integers(context, inputs, 1)
        let indexShape = try context.tensor(inputs, 1).shape
        guard !data.shape.isEmpty else { throw context.error("data must have rank 1 or more") }
        let axis = try context.normalizedAxis(try context.int("axis", default: 0), rank: data.shape.count)
        let size = data.shape[axis]
        var picks: [Int] = []
        picks.reserveCapacity(indices.count)
        for i in indices {
            guard i >= -Int64(size), i < Int64(size) else {
                throw context.error("index \(i) is out of range for axis \(axis) of size \(size)")
            }
            picks.append(Int(i < 0 ? i + Int64(size) : i))
        }
        let shape = Array(data.shape[..<axis]) + indexShape + Array(data.shape[(axis + 1)...])
        guard ModelTensor.elementCount(shape) != nil else { throw context.error("the output shape \(shape) is too large") }
        let outer = data.shape[..<axis].reduce(1, *)
        let inner = data.shape[(axis + 1)...].reduce(1, *)
        var flat: [Int] = []
        flat.reserveCapacity(outer * picks.count * inner)
        for o in 0..<outer {
            for p in picks {
                let base = (o * size + p) * inner
                flat.append(contentsOf: base..<(base + inner))
            }
        }
        return [try context.output(data.elementType, shape: shape, data.storage.gathering(flat))]
    }
}
