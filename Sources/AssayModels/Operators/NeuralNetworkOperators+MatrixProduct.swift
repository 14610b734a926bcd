extension NeuralNetworkOperators {
    /// Gemm: `Y = alpha·(A′·B′) + beta·C` with `A′ = transA ? Aᵀ : A`, `B′ = transB ? Bᵀ : B`
    /// and `C` (optional from opset 11) broadcast to `[M, N]`.
    ///
    /// Each `A′·B′` element is the dot product of ``MatrixMultiply``; then the multiplication by
    /// `alpha` (skipped when `alpha == 1`, which is exact) and the addition of `beta·c` (the
    /// product skipped when `beta == 1`).
    static func gemm(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let (a, aShape) = try floatInput(context, inputs, 0)
        let (b, bShape) = try floatInput(context, inputs, 1)
        let c = try context.optionalTensor(inputs, 2)
        let alpha = try context.float("alpha", default: 1), beta = try context.float("beta", default: 1)
        let transA = try context.int("transA", default: 0) != 0, transB = try context.int("transB", default: 0) != 0
        guard aShape.count == 2 else { throw context.error("input A must be a matrix (rank 2), got shape \(aShape)") }
        guard bShape.count == 2 else { throw context.error("input B must be a matrix (rank 2), got shape \(bShape)") }
        let (m, k) = transA ? (aShape[1], aShape[0]) : (aShape[0], aShape[1])
        let (k2, n) = transB ? (bShape[1], bShape[0]) : (bShape[0], bShape[1])
        guard k == k2 else {
            throw context.error("A \(aShape)\(transA ? "ᵀ" : "") has \(k) columns but B \(bShape)\(transB ? "ᵀ" : "") has \(k2) rows. Check transA/transB and the input width")
        }
        let count = try checkedCount(context, [m, n])
        var cValues: [Float] = [], cRowStride = 0, cColumnStride = 0
        if let c {
            guard let v = c.floats else { throw context.error("input C must be float32, got \(c.elementType)") }
            let s = c.shape
            guard s.count <= 2 else { throw context.error("input C must have rank at most 2, got shape \(s)") }
            let padded = [Int](repeating: 1, count: 2 - s.count) + s
            guard padded[0] == 1 || padded[0] == m, padded[1] == 1 || padded[1] == n else {
                throw context.error("input C of shape \(s) does not broadcast to the output [\(m), \(n)]")
            }
            cValues = v
            cRowStride = padded[0] == 1 ? 0 : padded[1]
            cColumnStride = padded[1] == 1 ? 0 : 1
        }
        let y = a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                [Float].filled(count: count) { yp in
                    guard count > 0 else { return }
                    let dummy = UnsafePointer(yp)
                    let aOperand = MatrixOperand(base: ab.baseAddress ?? dummy,
                                                 rowStride: transA ? 1 : aShape[1], columnStride: transA ? aShape[1] : 1)
                    let bOperand = MatrixOperand(base: bb.baseAddress ?? dummy,
                                                 rowStride: transB ? 1 : bShape[1], columnStride: transB ? bShape[1] : 1)
                    MatrixMultiply.multiply(m: m, n: n, k: k, a: aOperand, b: bOperand, c: yp, ldc: n, pool: context.pool)
                    if alpha != 1 {
                        for i in 0..<count { yp[i] = alpha * yp[i] }
                    }
                    if c != nil {
                        cValues.withUnsafeBufferPointer { cb in
                            guard let cp = cb.baseAddress else { return }
                            for i in 0..<m {
                                let row = yp + i * n, cRow = cp + i * cRowStride
                                if beta == 1 {
                                    for j in 0..<n { row[j] = row[j] + cRow[j * cColumnStride] }
                                } else {
                                    for j in 0..<n { row[j] = row[j] + beta * cRow[j * cColumnStride] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [floatValue(y, [m, n])]
    }

    /// MatMul with NumPy's `matmul` semantics: a 1-D operand is a row (A) or column (B) vector
    /// whose dimension is dropped from the result, and the leading (batch) dimensions
    /// broadcast. Each element is the dot product of ``MatrixMultiply``.
    static func matMul(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let (a, aShape0) = try floatInput(context, inputs, 0)
        let (b, bShape0) = try floatInput(context, inputs, 1)
        guard !aShape0.isEmpty, !bShape0.isEmpty else {
            throw context.error("inputs must have rank at least 1, got shapes \(aShape0) and \(bShape0)")
        }
        let aShape = aShape0.count == 1 ? [1, aShape0[0]] : aShape0
        let bShape = bShape0.count == 1 ? [bShape0[0], 1] : bShape0
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
        let k2 = bShape[bShape.count - 2], n = bShape[bShape.count - 1]
        guard k == k2 else {
            throw context.error("A \(aShape0) has \(k) columns but B \(bShape0) has \(k2) rows")
        }
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        guard let batch = Broadcast(aBatch, bBatch) else {
            throw context.error("the batch dimensions \(aBatch) and \(bBatch) do not broadcast")
        }
        var outShape = batch.shape + [m, n]
        let count = try checkedCount(context, outShape)
        if aShape0.count == 1 { outShape.remove(at: outShape.count - 2) }
        if bShape0.count == 1 { outShape.removeLast() }
        let batchCount = batch.shape.reduce(1, *)
        // Offsets of each batch's A and B matrices (row-major over the broadcast batch shape).
        var aOffsets = [Int](), bOffsets = [Int]()
        if bBatch.reduce(1, *) == 1 && batchCount > 0 {
            // B is shared by every batch: A's batches stack into one tall matrix.
            aOffsets = [0]
            bOffsets = [0]
        } else {
            let rank = batch.shape.count
            let pa = [Int](repeating: 1, count: rank - aBatch.count) + aBatch
            let pb = [Int](repeating: 1, count: rank - bBatch.count) + bBatch
            for flat in 0..<batchCount {
                var rem = flat, oa = 0, ob = 0, sa = m * k, sb = k * n
                for d in stride(from: rank - 1, through: 0, by: -1) {
                    let idx = rem % batch.shape[d]
                    rem /= batch.shape[d]
                    if pa[d] != 1 { oa += idx * sa }
                    if pb[d] != 1 { ob += idx * sb }
                    sa *= pa[d]
                    sb *= pb[d]
                }
                aOffsets.append(oa)
                bOffsets.append(ob)
            }
        }
        let stacked = aOffsets.count == 1 && batchCount > 1
        let y = a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                [Float].filled(count: count) { yp in
                    guard count > 0, let ap = ab.baseAddress, let bp = bb.baseAddress else {
                        if count > 0 { yp.update(repeating: 0, count: count) }
                        return
                    }
                    if stacked {
                        MatrixMultiply.multiply(m: m * batchCount, n: n, k: k,
                                                a: MatrixOperand(base: ap, rowStride: k, columnStride: 1),
                                                b: MatrixOperand(base: bp, rowStride: n, columnStride: 1),
                                                c: yp, ldc: n, pool: context.pool)
                        return
                    }
                    for (index, (oa, ob)) in zip(aOffsets, bOffsets).enumerated() {
                        MatrixMultiply.multiply(m: m, n: n, k: k,
                                                a: MatrixOperand(base: ap + oa, rowStride: k, columnStride: 1),
                                                b: MatrixOperand(base: bp + ob, rowStride: n, columnStride: 1),
                                                c: yp + index * m * n, ldc: n, pool: context.pool)
                    }
                }
            }
        }
        return [floatValue(y, outShape)]
    }
}
