extension Tensor {
    /// The matrix product `self · other` of an `m × k` and a `k × n` matrix, an `m × n` matrix.
    ///
    /// Deterministic: each output element is its `k` products summed in index order starting
    /// from +0 — bit for bit what a naive triple loop gives — whatever the tiling, the pool and
    /// its size, and in debug and release builds. It will differ from BLAS (NumPy) in the last
    /// bits, because BLAS sums in another order.
    ///
    /// ```swift
    /// let a = try Tensor<Double>(rows: [[1, 2], [3, 4]])
    /// let p = try a.matmul(a)      // [[7, 10], [15, 22]]
    /// ```
    ///
    /// - Parameters:
    ///   - other: the right operand, `k × n`.
    ///   - pool: a running pool to spread blocks of 32 output rows over; nil runs on the caller.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when either operand is not a matrix (rank 2)
    ///   or the inner dimensions differ.
    /// - Complexity: O(*m·k·n*) time, O(*m·n*) memory.
    public func matmul(_ other: Tensor, pool: BlockPool? = nil) throws(NumericsError) -> Tensor {
        guard rank == 2, other.rank == 2 else {
            throw .shapeMismatch("matmul needs two matrices, got shapes \(shape) and \(other.shape)")
        }
        guard shape[1] == other.shape[0] else {
            throw .shapeMismatch("matmul of \(shape) by \(other.shape): inner dimensions \(shape[1]) and \(other.shape[0]) differ")
        }
        let out = MatrixKernels.multiply(
            scalars, other.scalars, rows: shape[0], inner: shape[1], columns: other.shape[1], pool: pool)
        return Tensor(uncheckedShape: [shape[0], other.shape[1]], scalars: out)
    }

    /// The product `self · otherᵀ` of an `m × k` and an `n × k` matrix, an `m × n` matrix whose
    /// element `(i, j)` is the dot product of row `i` of `self` and row `j` of `other`.
    ///
    /// Same order of summation as ``matmul(_:pool:)`` (index order from +0): it transposes
    /// `other` and multiplies.
    ///
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when either operand is not a matrix or the
    ///   row widths differ.
    /// - Complexity: O(*m·k·n*) time, O(*m·n + n·k*) memory.
    public func matmulTransposed(_ other: Tensor, pool: BlockPool? = nil) throws(NumericsError) -> Tensor {
        guard rank == 2, other.rank == 2 else {
            throw .shapeMismatch("matmulTransposed needs two matrices, got shapes \(shape) and \(other.shape)")
        }
        guard shape[1] == other.shape[1] else {
            throw .shapeMismatch("matmulTransposed of \(shape) by \(other.shape)ᵀ: row widths \(shape[1]) and \(other.shape[1]) differ")
        }
        let bt = MatrixKernels.transpose(other.scalars, rows: other.shape[0], columns: other.shape[1])
        let out = MatrixKernels.multiply(
            scalars, bt, rows: shape[0], inner: shape[1], columns: other.shape[0], pool: pool)
        return Tensor(uncheckedShape: [shape[0], other.shape[0]], scalars: out)
    }

    /// The transpose of a matrix (rank 2): element `(i, j)` becomes `(j, i)`.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `self` is not a matrix.
    /// - Complexity: O(*m·n*).
    public func transposed() throws(NumericsError) -> Tensor {
        guard rank == 2 else { throw .shapeMismatch("transposed() needs a matrix, got shape \(shape)") }
        return Tensor(
            uncheckedShape: [shape[1], shape[0]],
            scalars: MatrixKernels.transpose(scalars, rows: shape[0], columns: shape[1]))
    }
}
