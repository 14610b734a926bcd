/// Pairwise squared Euclidean distances between the rows of two tensors, computed the way
/// Alibi Detect's kernels compute them.
///
/// Alibi Detect (spec §3.1) does **not** sum squared differences: it expands
/// `‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y` and clamps the result below at `1e-30`. The expansion
/// rounds differently from the direct sum and can go slightly negative (hence the clamp), and
/// the median heuristic for the RBF bandwidth sorts exactly these values, so Assay reproduces
/// the expansion rather than the more accurate difference form.
public enum PairwiseDistances {
    /// The floor applied to every squared distance, `1e-30`, as Alibi Detect clamps.
    public static let minimumSquaredDistance = 1e-30

    /// The `m × n` matrix of squared Euclidean distances between the rows of `x` (`m` rows) and
    /// the rows of `y` (`n` rows), by the expansion `max((‖xᵢ‖² + ‖yⱼ‖²) − 2·(xᵢ·yⱼ), 1e-30)`.
    ///
    /// Rows are flattened first (a batch of images `[m, 8, 8, 1]` has rows of 64), as Alibi
    /// Detect flattens. The norms are ``Tensor/rowSquaredNorms(pool:)`` and the dot products
    /// ``Tensor/matmulTransposed(_:pool:)``, each summed in index order; the three terms combine
    /// in exactly the order written above, as TensorFlow's `x2 + y2 − 2·xy` does. (PyTorch's
    /// `addmm` adds in another order and can differ in the last bit.) Only the lower clamp is
    /// applied; TensorFlow also clamps at `1e30`, which finite data of sane magnitude never
    /// reaches. NaN in the inputs gives NaN in the affected entries. Deterministic: the result
    /// does not depend on `pool` or its size.
    ///
    /// ```swift
    /// let x = try Tensor<Float>(rows: [[0, 0], [3, 4]])
    /// let d = try PairwiseDistances.squaredEuclidean(x, x)   // [[1e-30, 25], [25, 1e-30]]
    /// ```
    ///
    /// - Parameters:
    ///   - x: `m` rows.
    ///   - y: `n` rows of the same width as `x`'s. Pass `x` again for the self-distances.
    ///   - pool: a running pool to spread blocks of 32 rows of `x` over; nil runs on the caller.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when the row widths differ.
    /// - Complexity: O(*m·n·K*) time for rows of width *K*; O(*m·n + n·K*) memory.
    public static func squaredEuclidean<Scalar>(
        _ x: Tensor<Scalar>, _ y: Tensor<Scalar>, pool: BlockPool? = nil
    ) throws(NumericsError) -> Tensor<Scalar> {
        try expanded(x, y, pool: pool)
    }

    /// The implementation of ``squaredEuclidean(_:_:pool:)``.
    static func expanded<Scalar>(
        _ x: Tensor<Scalar>, _ y: Tensor<Scalar>, pool: BlockPool?
    ) throws(NumericsError) -> Tensor<Scalar> {
        let m = x.rowCount, n = y.rowCount, width = x.rowWidth
        guard width == y.rowWidth else {
            throw .shapeMismatch("pairwise distances between rows of \(width) and rows of \(y.rowWidth) features")
        }
        let xx = x.rowSquaredNorms(pool: pool)
        let yy = y.rowSquaredNorms(pool: pool)
        let xs = x.scalars
        let yt = MatrixKernels.transpose(y.scalars, rows: n, columns: width)
        let parts = mapBlocks(pool, fixedBlocks(count: m, size: MatrixKernels.rowBlock)) { block in
            xs.withUnsafeBufferPointer { xb in
                yt.withUnsafeBufferPointer { yb in
                    expandRows(xb, yb, xx, yy, rows: block, width: width, columns: n)
                }
            }
        }
        return Tensor(uncheckedShape: [m, n], scalars: MatrixKernels.concatenate(parts, count: m * n))
    }

    /// ``squaredEuclidean(_:_:pool:)`` for `Double`, compiled specialised here: callers in other
    /// modules reach the generic entry point otherwise, which runs an order of magnitude slower.
    public static func squaredEuclidean(_ x: Tensor<Double>, _ y: Tensor<Double>, pool: BlockPool? = nil) throws(NumericsError) -> Tensor<Double> {
        try expanded(x, y, pool: pool)
    }

    /// Rows `rows` of the clamped expansion, given `x`, `yᵀ` and both norm vectors.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func expandRows<T: BinaryFloatingPoint>(
        _ x: UnsafeBufferPointer<T>, _ yt: UnsafeBufferPointer<T>, _ xx: [T], _ yy: [T],
        rows: Range<Int>, width: Int, columns: Int
    ) -> [T] {
        var d = MatrixKernels.multiplyRows(x, yt, rows: rows, inner: width, columns: columns)
        let floor = T(minimumSquaredDistance)
        for (ii, i) in rows.enumerated() {
            let xi = xx[i]
            for j in 0..<columns {
                let v = (xi + yy[j]) - 2 * d[ii * columns + j]
                d[ii * columns + j] = v < floor ? floor : v
            }
        }
        return d
    }
}
