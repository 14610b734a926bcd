extension MachineLearningOperators {
    /// ZipMap: turns `[N, C]` float32 scores into N maps from the C class labels
    /// (`classlabels_int64s` or `classlabels_strings`) to their scores.
    static let zipMap: OperatorKernel = { context, inputs throws(ModelError) in
        let (x, shape) = try context.floatTensor(inputs, 0)
        let intLabels = try context.ints("classlabels_int64s", default: [])
        let stringLabels = try context.strings("classlabels_strings", default: [])
        guard intLabels.isEmpty != stringLabels.isEmpty else {
            throw context.error("needs exactly one of classlabels_int64s and classlabels_strings")
        }
        let keys: ModelValue.MapKeys = intLabels.isEmpty ? .string(stringLabels) : .int64(intLabels)
        let labelCount = intLabels.isEmpty ? stringLabels.count : intLabels.count
        guard shape.count == 1 || shape.count == 2, let columns = shape.last, columns == labelCount else {
            throw context.error("input of shape \(shape) should be [N, \(labelCount)], one column per class label")
        }
        let rows = shape.count == 2 ? shape[0] : 1
        let maps = (0..<rows).map { r in Array(x[(r * columns)..<((r + 1) * columns)]) }
        return [.sequenceOfMaps(keys: keys, rows: maps)]
    }

    /// ArrayFeatureExtractor: picks the entries at indices `Y` along the last axis of `X`. A 1-D
    /// `X` gives shape `[1, len(Y)]`, as in ONNX Runtime.
    static let arrayFeatureExtractor: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        let indexTensor = try context.tensor(inputs, 1)
        guard let indices = indexTensor.int64s, indexTensor.elementType == .int64 || indexTensor.elementType == .int32 else {
            throw context.error("input 1 (indices) should be int64, got \(indexTensor.elementType)")
        }
        guard let stride = x.shape.last else { throw context.error("input 0 must have rank 1 or more") }
        guard !indices.isEmpty else { throw context.error("input 1 (indices) is empty") }
        var picks: [Int] = []
        picks.reserveCapacity(indices.count)
        for i in indices {
            guard i >= 0, i < Int64(stride) else {
                throw context.error("index \(i) is out of range for the last axis of size \(stride)")
            }
            picks.append(Int(i))
        }
        let shape = x.shape.count == 1 ? [1, picks.count] : Array(x.shape.dropLast()) + [picks.count]
        guard ModelTensor.elementCount(shape) != nil else { throw context.error("the output shape \(shape) is too large") }
        let outer = x.shape.dropLast().reduce(1, *)
        var flat: [Int] = []
        flat.reserveCapacity(outer * picks.count)
        for o in 0..<outer {
            for p in picks { flat.append(o * stride + p) }
        }
        return [try context.output(x.elementType, shape: shape, x.storage.gathering(flat))]
    }
}
