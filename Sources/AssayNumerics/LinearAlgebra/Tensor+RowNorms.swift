extension Tensor {
    /// `Σₖ x²ᵢₖ` for each row `i` of the row matrix (rows flattened, as ``rowMatrix()``),
    /// each summed in index order from +0.
    ///
    /// - Parameter pool: a running pool to spread blocks of rows over; nil runs on the caller.
    ///   The result does not depend on it.
    /// - Complexity: O(`scalars.count`).
    public func rowSquaredNorms(pool: BlockPool? = nil) -> [Scalar] {
        let n = rowCount, w = rowWidth
        let x = scalars
        let parts = mapBlocks(pool, fixedBlocks(count: n, size: 1024)) { block in
            x.withUnsafeBufferPointer { MatrixKernels.rowSquaredNorms($0, rows: block, width: w) }
        }
        return MatrixKernels.concatenate(parts, count: n)
    }
}
