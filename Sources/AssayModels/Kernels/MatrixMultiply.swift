import AssayNumerics

/// A float32 matrix operand seen through strides: element `(i, k)` is at
/// `base + i·rowStride + k·columnStride`, so a transposed matrix is the same memory with the
/// strides swapped.
struct MatrixOperand {
    var base: UnsafePointer<Float>
    var rowStride: Int
    var columnStride: Int

    @inline(__always)
    func pointer(_ i: Int, _ k: Int) -> UnsafePointer<Float> { base + i * rowStride + k * columnStride }
}

/// Single-precision matrix multiplication `C = A·B` (SGEMM), register-blocked.
///
/// ## Arithmetic (fixed)
///
/// Every output element is the fused dot product
///
///     c[i, j] = fma(a[i,K−1], b[K−1,j], … fma(a[i,1], b[1,j], fma(a[i,0], b[0,j], +0)) …)
///
/// — one IEEE fused multiply–add per term (the product is not rounded before the addition),
/// over `k` in increasing order from +0. Every kernel calls `addingProduct` explicitly; none
/// relies on the compiler contracting `a * b + c` (Swift never does), so a build for CPUs
/// without FMA computes the same correctly rounded operations in software. The blocking below
/// never changes the order: the inner dimension is cut in chunks of ``innerChunk`` visited in
/// increasing order, and a chunk's partial sums are stored to `C` exactly and reloaded for the
/// next chunk. Each output element is independent of every other, so how rows are spread over
/// threads, which micro-kernel (6×16 or 6×8 tile, single row, edge tile) computes an element,
/// and whether an operand was packed change no bits.
///
/// ## Speed
///
/// The micro-kernel keeps a 6×16 tile of `C` in twelve `SIMD8<Float>` accumulators (twelve of
/// the sixteen AVX registers) and streams one 16-column panel of `B` and six rows of `A`
/// through it: per step two loads of `B`, six broadcasts of `A` and twelve FMAs, so the two FMA
/// ports stay busy. A full panel of a row-major `B` is read in place; a transposed `B` or the
/// last partial panel is packed into a contiguous, zero-padded `innerChunk × 16` (or `× 8`)
/// buffer; the last 2–5 rows are packed into a zero-padded tile and a single row (batch size
/// 1) takes a matrix–vector path with four accumulators. Rows are spread over threads in fixed
/// blocks of ``rowBlock``.
enum MatrixMultiply {
    /// Rows of the register tile.
    static let tileRows = 6
    /// Columns of the register tile (two `SIMD8<Float>`).
    static let tileColumns = 16
    /// Inner-dimension chunk kept in cache for one pass over a block of rows.
    static let innerChunk = 256
    /// Rows per parallel block (a multiple of ``tileRows``); a constant, so the blocks depend on
    /// the data size only.
    static let rowBlock = 96

    /// `C = A·B` for an `m × k` operand `a` and a `k × n` operand `b`, writing every element
    /// of the row-major `m × n` matrix at `c` (row stride `ldc`), rows spread over `pool` in
    /// fixed blocks.
    /// - Complexity: O(m·n·k).
    static func multiply(
        m: Int, n: Int, k: Int, a: MatrixOperand, b: MatrixOperand,
        c: UnsafeMutablePointer<Float>, ldc: Int, pool: BlockPool?
    ) {
        guard m > 0, n > 0 else { return }
        let ai = InputPointer(base: a.base), bi = InputPointer(base: b.base), co = OutputPointer(base: c)
        let (ars, acs, brs, bcs) = (a.rowStride, a.columnStride, b.rowStride, b.columnStride)
        let blockSize = m * n * max(k, 1) < 1 << 16 ? m : rowBlock
        KernelBlocks.run(pool, count: m, size: blockSize) { rows in
            multiplyRows(rows, n: n, k: k,
                         a: MatrixOperand(base: ai.base, rowStride: ars, columnStride: acs),
                         b: MatrixOperand(base: bi.base, rowStride: brs, columnStride: bcs),
                         c: co.base, ldc: ldc)
        }
    }

    /// Rows `rows` of `C = A·B`, serially on the calling thread. Same bits as ``multiply``.
    static func multiplyRows(
        _ rows: Range<Int>, n: Int, k: Int, a: MatrixOperand, b: MatrixOperand,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let mr = tileRows, nr = tileColumns
        guard !rows.isEmpty, n > 0 else { return }
        if k == 0 {
            for i in rows { (c + i * ldc).update(repeating: 0, count: n) }
            return
        }
        if rows.count == 1 && b.columnStride == 1 {
            multiplyRow(rows.lowerBound, n: n, k: k, a: a, b: b, c: c + rows.lowerBound * ldc)
            return
        }
        let chunk = min(k, innerChunk)
        // Scratch: a packed B panel (chunk × 16), a packed edge tile of A (chunk × 6), a C tile.
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunk * (nr + mr) + mr * nr)
        defer { scratch.deallocate() }
        let packedB = scratch, packedA = scratch + chunk * nr, tile = scratch + chunk * (nr + mr)
        let fullTiles = rows.count / mr
        let edgeRows = rows.count - fullTiles * mr
        let edgeStart = rows.lowerBound + fullTiles * mr
        let bRowMajor = b.columnStride == 1

        var k0 = 0
        while k0 < k {
            let kc = min(chunk, k - k0)
            let accumulate = k0 > 0
            if edgeRows >= 2 {
                // Pack the last rows, zero-padded to a full tile, once per chunk.
                for kk in 0..<kc {
                    for r in 0..<mr {
                        packedA[kk * mr + r] = r < edgeRows ? a.pointer(edgeStart + r, k0 + kk).pointee : 0
                    }
                }
            }
            var j0 = 0
            while j0 < n {
                // A 16-column panel, or 8 for the last 8 or fewer columns.
                let cols = min(nr, n - j0)
                let width = cols > 8 ? 16 : 8
                let wide = width == 16
                let bPanel: UnsafePointer<Float>
                let bStep: Int
                if bRowMajor && cols == width {
                    bPanel = b.pointer(k0, j0)
                    bStep = b.rowStride
                } else {
                    for kk in 0..<kc {
                        for j in 0..<width {
                            packedB[kk * width + j] = j < cols ? b.pointer(k0 + kk, j0 + j).pointee : 0
                        }
                    }
                    bPanel = UnsafePointer(packedB)
                    bStep = width
                }
                var i = rows.lowerBound
                for _ in 0..<fullTiles {
                    if cols == width {
                        tileKernel(wide, kc, a.pointer(i, k0), a.rowStride, a.columnStride, bPanel, bStep,
                                   c + i * ldc + j0, ldc, accumulate)
                    } else {
                        if accumulate { loadTile(tile, from: c + i * ldc + j0, ldc: ldc, rows: mr, cols: cols, accumulate: true) }
                        tileKernel(wide, kc, a.pointer(i, k0), a.rowStride, a.columnStride, bPanel, bStep, tile, nr, accumulate)
                        storeTile(tile, to: c + i * ldc + j0, ldc: ldc, rows: mr, cols: cols)
                    }
                    i += mr
                }
                if edgeRows >= 2 {
                    loadTile(tile, from: c + edgeStart * ldc + j0, ldc: ldc, rows: edgeRows, cols: cols, accumulate: accumulate)
                    tileKernel(wide, kc, UnsafePointer(packedA), 1, mr, bPanel, bStep, tile, nr, true)
                    storeTile(tile, to: c + edgeStart * ldc + j0, ldc: ldc, rows: edgeRows, cols: cols)
                } else if edgeRows == 1 {
                    if cols == width {
                        kernel1xPanel(kc, a.pointer(edgeStart, k0), a.columnStride, bPanel, bStep,
                                      c + edgeStart * ldc + j0, accumulate, wide: wide)
                    } else {
                        loadTile(tile, from: c + edgeStart * ldc + j0, ldc: ldc, rows: 1, cols: cols, accumulate: accumulate)
                        kernel1xPanel(kc, a.pointer(edgeStart, k0), a.columnStride, bPanel, bStep, tile, true, wide: wide)
                        storeTile(tile, to: c + edgeStart * ldc + j0, ldc: ldc, rows: 1, cols: cols)
                    }
                }
                j0 += width
            }
            k0 += kc
        }
    }

    /// The 6×16 or 6×8 micro-kernel.
    @inline(__always)
    static func tileKernel(
        _ wide: Bool, _ kc: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
        _ b: UnsafePointer<Float>, _ bStep: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
    ) {
        if wide {
            kernel6x16(kc, a, aRow, aStep, b, bStep, c, ldc, accumulate)
        } else {
            kernel6x8(kc, a, aRow, aStep, b, bStep, c, ldc, accumulate)
        }
    }

    /// Fills the 6×16 tile buffer from the `rows × cols` corner of `c` (row stride `ldc`), or
    /// with zeros when `accumulate` is false (a sum that starts at +0). Elements outside the
    /// corner are zeroed so the kernel reads defined values.
    @inline(__always)
    static func loadTile(
        _ tile: UnsafeMutablePointer<Float>, from c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, cols: Int, accumulate: Bool
    ) {
        for r in 0..<tileRows {
            for j in 0..<tileColumns {
                tile[r * tileColumns + j] = accumulate && r < rows && j < cols ? c[r * ldc + j] : 0
            }
        }
    }

    /// Writes the `rows × cols` corner of the tile buffer to `c` (row stride `ldc`).
    @inline(__always)
    static func storeTile(
        _ tile: UnsafeMutablePointer<Float>, to c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int
    ) {
        for r in 0..<rows {
            let src = tile + r * tileColumns, dst = c + r * ldc
            var j = 0
            if cols >= 8 {
                UnsafeMutableRawPointer(dst).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                j = 8
            }
            while j < cols { dst[j] = src[j]; j += 1 }
        }
    }

    /// Row `i` of `C = A·B` for a row-major `B` (a matrix–vector product, as at batch size 1):
    /// 32 columns at a time in four independent accumulators, so the FMAs of different columns
    /// overlap; each element is still the fused sum over `k` in increasing order from +0.
    static func multiplyRow(_ i: Int, n: Int, k: Int, a: MatrixOperand, b: MatrixOperand, c: UnsafeMutablePointer<Float>) {
        let ap = a.pointer(i, 0), aStep = a.columnStride, ldb = b.rowStride
        var j = 0
        while j + 32 <= n {
            var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
            var pa = ap, pb = UnsafeRawPointer(b.base + j)
            let rowBytes = ldb * MemoryLayout<Float>.stride
            for _ in 0..<k {
                let v = SIMD8<Float>(repeating: pa[0])
                c0 = c0.addingProduct(v, pb.loadUnaligned(as: SIMD8<Float>.self))
                c1 = c1.addingProduct(v, pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
                c2 = c2.addingProduct(v, pb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
                c3 = c3.addingProduct(v, pb.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
                pa += aStep
                pb += rowBytes
            }
            let cr = UnsafeMutableRawPointer(c + j)
            cr.storeBytes(of: c0, as: SIMD8<Float>.self)
            cr.storeBytes(of: c1, toByteOffset: 32, as: SIMD8<Float>.self)
            cr.storeBytes(of: c2, toByteOffset: 64, as: SIMD8<Float>.self)
            cr.storeBytes(of: c3, toByteOffset: 96, as: SIMD8<Float>.self)
            j += 32
        }
        while j + 8 <= n {
            kernel1xPanel(k, ap, aStep, b.base + j, ldb, c + j, false, wide: false)
            j += 8
        }
        while j < n {
            var sum: Float = 0
            var pa = ap, pb = b.base + j
            for _ in 0..<k {
                sum = sum.addingProduct(pa[0], pb[0])
                pa += aStep
                pb += ldb
            }
            c[j] = sum
            j += 1
        }
    }
}
