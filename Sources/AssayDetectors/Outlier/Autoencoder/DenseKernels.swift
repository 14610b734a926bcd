import AssayNumerics

/// The loops behind ``DenseNetwork``'s forward and backward passes, on row-major buffers.
///
/// Every output element is computed by one thread with the same operations in the same order,
/// whatever the block cut or the thread count: ``multiplyRows(_:_:_:rows:inner:columns:)`` sums
/// `a[i, k]·b[k, j]` over `k` ascending from +0, and the vector lanes hold *different output
/// columns*, never parts of one sum. So the pool, the build mode and the SIMD width change speed
/// only.
enum DenseKernels {
    /// Output rows per block when a multiplication is spread over a ``BlockPool``; a constant, so
    /// the cut depends on the data size only (and cannot change results anyway).
    static let blockRows = 16
    /// Multiply–adds below which a multiplication runs on the calling thread (waking the pool
    /// costs more than it saves on small layers).
    static let parallelWork = 1 << 20

    /// `c[0 ..< rows·columns] = a · b` for row-major `a` (`rows × inner`) and `b`
    /// (`inner × columns`); on `pool` in blocks of ``blockRows`` rows when the product has at
    /// least `parallelWork` multiply–adds.
    static func multiply<T: NetworkScalar>(
        _ a: [T], _ b: [T], rows: Int, inner: Int, columns: Int,
        into c: inout [T], pool: BlockPool?, parallelWork: Int
    ) {
        precondition(a.count >= rows * inner && b.count >= inner * columns && c.count >= rows * columns)
        if let pool, pool.threadCount > 1, rows > blockRows, rows * inner * columns >= parallelWork {
            let parts = pool.map(blocks: fixedBlocks(count: rows, size: blockRows)) { block in
                var part = [T](repeating: 0, count: block.count * columns)
                a.withUnsafeBufferPointer { ab in
                    b.withUnsafeBufferPointer { bb in
                        part.withUnsafeMutableBufferPointer { pb in
                            multiplyRows(ab.baseAddress! + block.lowerBound * inner, bb.baseAddress!, pb.baseAddress!,
                                         rows: block.count, inner: inner, columns: columns)
                        }
                    }
                }
                return part
            }
            c.withUnsafeMutableBufferPointer { cb in
                var offset = 0
                for part in parts {
                    for v in part {
                        cb[offset] = v
                        offset += 1
                    }
                }
            }
            return
        }
        a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                c.withUnsafeMutableBufferPointer { cb in
                    multiplyRows(ab.baseAddress!, bb.baseAddress!, cb.baseAddress!, rows: rows, inner: inner, columns: columns)
                }
            }
        }
    }

    @inline(__always)
    static func load8<T: NetworkScalar>(_ p: UnsafePointer<T>) -> SIMD8<T> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self)
    }

    @inline(__always)
    static func store8<T: NetworkScalar>(_ v: SIMD8<T>, _ p: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<T>.self)
    }

    /// `c = a · b` for `rows` rows: `c[i, j] = ((0 + a[i,0]·b[0,j]) + a[i,1]·b[1,j]) + …`.
    ///
    /// Four rows × eight columns at a time in registers (each lane one output element, the
    /// products added in `k` order), then the leftover columns and rows one element at a time in
    /// the same order.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func multiplyRows<T: NetworkScalar>(
        _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<T>,
        rows: Int, inner: Int, columns: Int
    ) {
        let wideColumns = columns - columns % 8
        var i = 0
        while i + 4 <= rows {
            let a0 = a + i * inner, a1 = a0 + inner, a2 = a1 + inner, a3 = a2 + inner
            let c0 = c + i * columns, c1 = c0 + columns, c2 = c1 + columns, c3 = c2 + columns
            var j = 0
            while j < wideColumns {
                var s0 = SIMD8<T>(), s1 = SIMD8<T>(), s2 = SIMD8<T>(), s3 = SIMD8<T>()
                var bp = b + j
                for k in 0..<inner {
                    let bv = load8(bp)
                    s0 += a0[k] * bv
                    s1 += a1[k] * bv
                    s2 += a2[k] * bv
                    s3 += a3[k] * bv
                    bp += columns
                }
                store8(s0, c0 + j)
                store8(s1, c1 + j)
                store8(s2, c2 + j)
                store8(s3, c3 + j)
                j += 8
            }
            while j < columns {
                var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
                var bp = b + j
                for k in 0..<inner {
                    let bv = bp.pointee
                    s0 += a0[k] * bv
                    s1 += a1[k] * bv
                    s2 += a2[k] * bv
                    s3 += a3[k] * bv
                    bp += columns
                }
                c0[j] = s0
                c1[j] = s1
                c2[j] = s2
                c3[j] = s3
                j += 1
            }
            i += 4
        }
        while i < rows {
            let a0 = a + i * inner
            let c0 = c + i * columns
            var j = 0
            while j < wideColumns {
                var s0 = SIMD8<T>()
                var bp = b + j
                for k in 0..<inner {
                    s0 += a0[k] * load8(bp)
                    bp += columns
                }
                store8(s0, c0 + j)
                j += 8
            }
            while j < columns {
                var s0: T = 0
                var bp = b + j
                for k in 0..<inner {
                    s0 += a0[k] * bp.pointee
                    bp += columns
                }
                c0[j] = s0
                j += 1
            }
            i += 1
        }
    }

    /// `t = aᵀ`: `t[j, i] = a[i, j]` for row-major `a` (`rows × columns`).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func transpose<T: NetworkScalar>(_ a: [T], rows: Int, columns: Int, into t: inout [T]) {
        precondition(a.count >= rows * columns && t.count >= rows * columns)
        a.withUnsafeBufferPointer { ab in
            t.withUnsafeMutableBufferPointer { tb in
                for i in 0..<rows {
                    for j in 0..<columns { tb[j * rows + i] = ab[i * columns + j] }
                }
            }
        }
    }

    /// `y[i, j] = activation(y[i, j] + bias[j])` for `rows` rows, in place.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func addBiasAndActivate<T: NetworkScalar>(_ y: inout [T], bias: [T], rows: Int, activation: NetworkActivation) {
        let width = bias.count
        y.withUnsafeMutableBufferPointer { yb in
            bias.withUnsafeBufferPointer { bb in
                switch activation {
                case .linear:
                    for i in 0..<rows {
                        for j in 0..<width { yb[i * width + j] += bb[j] }
                    }
                case .relu:
                    for i in 0..<rows {
                        for j in 0..<width {
                            let v = yb[i * width + j] + bb[j]
                            yb[i * width + j] = v > 0 ? v : 0
                        }
                    }
                case .sigmoid:
                    for i in 0..<rows {
                        for j in 0..<width {
                            yb[i * width + j] = sigmoid(yb[i * width + j] + bb[j])
                        }
                    }
                }
            }
        }
    }

    /// `1 / (1 + e^(−v))` in `Double` with `DeterministicMath.exp`, rounded to `T`.
    @inline(__always)
    static func sigmoid<T: NetworkScalar>(_ v: T) -> T {
        T(1 / (1 + DeterministicMath.exp(-v.doubleValue)))
    }

    /// `g[i] ← g[i] · activation′` at the outputs `y`, in place, for `count` elements: relu keeps
    /// `g` where `y > 0` and sets +0 elsewhere; sigmoid multiplies by `y·(1 − y)` as
    /// `g · (y · (1 − y))`; linear leaves `g` alone.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func multiplyByDerivative<T: NetworkScalar>(_ g: inout [T], outputs y: [T], count: Int, activation: NetworkActivation) {
        g.withUnsafeMutableBufferPointer { gb in
            y.withUnsafeBufferPointer { yb in
                switch activation {
                case .linear:
                    break
                case .relu:
                    for i in 0..<count where !(yb[i] > 0) { gb[i] = 0 }
                case .sigmoid:
                    for i in 0..<count { gb[i] = gb[i] * (yb[i] * (1 - yb[i])) }
                }
            }
        }
    }

    /// `s[j] = Σᵢ g[i, j]` over `rows` rows in row order from +0 (the bias gradient).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func columnSums<T: NetworkScalar>(_ g: [T], rows: Int, columns: Int, into s: inout [T]) {
        g.withUnsafeBufferPointer { gb in
            s.withUnsafeMutableBufferPointer { sb in
                for j in 0..<columns { sb[j] = 0 }
                for i in 0..<rows {
                    for j in 0..<columns { sb[j] += gb[i * columns + j] }
                }
            }
        }
    }
}
