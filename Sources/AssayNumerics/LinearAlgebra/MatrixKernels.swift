/// The raw loops behind the matrix methods on ``Tensor``: row-major buffers in, row-major
/// arrays out, with a fixed accumulation order.
///
/// Every kernel is generic and carries `@_specialize` for `Float` and `Double`, so a call from an
/// unspecialized generic context (another module calling `Tensor<Scalar>` methods) still runs
/// the specialized loop. Specialization changes speed only: the arithmetic is the same IEEE
/// operations in the same order (Swift does not contract `a * b + c` into a fused multiply–add,
/// and LLVM does not reassociate floating-point sums without fast-math flags, which Assay never
/// enables), so debug and release builds give the same bits.
enum MatrixKernels {
    /// Rows per block when a kernel is spread over a ``BlockPool``; a constant, so the blocks
    /// depend on the data size only.
    static let rowBlock = 32
    /// Output columns per cache tile in ``multiplyRows(_:_:rows:inner:columns:)``.
    static let columnTile = 256
    /// Inner-dimension length per cache tile in ``multiplyRows(_:_:rows:inner:columns:)``.
    static let innerTile = 128

    /// Rows `rows` of `A · B` for row-major `A` (`· × inner`) and `B` (`inner × columns`),
    /// as a row-major `rows.count × columns` array.
    ///
    /// Each output element is `((0 + a₀b₀) + a₁b₁) + … + a_{K−1}b_{K−1}`: the products summed in
    /// index order starting from +0, exactly like a naive dot product. The loops are tiled over
    /// columns and the inner dimension for the cache, but tiles of the inner dimension are
    /// visited in increasing order for every output element, so the tiling does not change the
    /// order of any sum. The innermost loop runs over output columns (independent elements), so
    /// the compiler may vectorise it without reordering anything.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func multiplyRows<T: BinaryFloatingPoint>(
        _ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>,
        rows: Range<Int>, inner: Int, columns: Int
    ) -> [T] {
        let m = rows.count
        var c = [T](repeating: 0, count: m * columns)
        if m == 0 || columns == 0 || inner == 0 { return c }
        c.withUnsafeMutableBufferPointer { cb in
            guard let cp = cb.baseAddress, let ap = a.baseAddress, let bp = b.baseAddress else { return }
            var j0 = 0
            while j0 < columns {
                let j1 = min(j0 + columnTile, columns)
                var k0 = 0
                while k0 < inner {
                    let k1 = min(k0 + innerTile, inner)
                    for (ii, i) in rows.enumerated() {
                        let aRow = ap + i * inner
                        let cRow = cp + ii * columns
                        for k in k0..<k1 {
                            let aik = aRow[k]
                            let bRow = bp + k * columns
                            for j in j0..<j1 {
                                cRow[j] += aik * bRow[j]
                            }
                        }
                    }
                    k0 = k1
                }
                j0 = j1
            }
        }
        return c
    }

    /// The transpose of a row-major `rows × columns` matrix.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func transpose<T: BinaryFloatingPoint>(_ a: [T], rows: Int, columns: Int) -> [T] {
        var t = [T](repeating: 0, count: a.count)
        a.withUnsafeBufferPointer { ab in
            t.withUnsafeMutableBufferPointer { tb in
                for i in 0..<rows {
                    for j in 0..<columns { tb[j * rows + i] = ab[i * columns + j] }
                }
            }
        }
        return t
    }

    /// `Σ x²` over each row of a row-major `rows × width` matrix, summed in index order from +0.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    static func rowSquaredNorms<T: BinaryFloatingPoint>(
        _ a: UnsafeBufferPointer<T>, rows: Range<Int>, width: Int
    ) -> [T] {
        var out = [T]()
        out.reserveCapacity(rows.count)
        for i in rows {
            var s: T = 0
            for k in 0..<width {
                let v = a[i * width + k]
                s += v * v
            }
            out.append(s)
        }
        return out
    }

    /// `A · B` for row-major `A` (`rows × inner`) and `B` (`inner × columns`), spread over
    /// `pool` in blocks of ``rowBlock`` rows (serially when `pool` is nil).
    static func multiply<T: BinaryFloatingPoint & Sendable>(
        _ a: [T], _ b: [T], rows: Int, inner: Int, columns: Int, pool: BlockPool?
    ) -> [T] {
        if rows <= rowBlock || pool == nil {
            return a.withUnsafeBufferPointer { ab in
                b.withUnsafeBufferPointer { bb in
                    multiplyRows(ab, bb, rows: 0..<rows, inner: inner, columns: columns)
                }
            }
        }
        let parts = mapBlocks(pool, fixedBlocks(count: rows, size: rowBlock)) { block in
            a.withUnsafeBufferPointer { ab in
                b.withUnsafeBufferPointer { bb in
                    multiplyRows(ab, bb, rows: block, inner: inner, columns: columns)
                }
            }
        }
        return concatenate(parts, count: rows * columns)
    }

    /// The arrays of `parts` one after another.
    static func concatenate<T>(_ parts: [[T]], count: Int) -> [T] {
        var out = [T]()
        out.reserveCapacity(count)
        for p in parts { out.append(contentsOf: p) }
        return out
    }
}
