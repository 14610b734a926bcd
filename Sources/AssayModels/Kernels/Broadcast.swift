/// NumPy's multidirectional broadcasting for element-wise binary kernels.
///
/// The output has the longer rank; aligned from the right, each pair of dimensions must be
/// equal or contain a 1. Every output element is `op(a[…], b[…])` of the two elements the
/// broadcast selects, computed on its own, so the loop order changes no bits.
struct Broadcast {
    /// The output shape.
    let shape: [Int]
    /// Dimensions after merging runs that broadcast alike; the last one is the inner loop.
    let dims: [Int]
    /// Element strides of `a` and `b` over ``dims`` (0 where the operand is broadcast).
    let aStrides: [Int]
    let bStrides: [Int]

    /// The broadcast of shapes `a` and `b`, or nil when they do not broadcast.
    init?(_ a: [Int], _ b: [Int]) {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var shape = [Int]()
        for d in 0..<rank {
            if pa[d] == pb[d] || pb[d] == 1 { shape.append(pa[d]) }
            else if pa[d] == 1 { shape.append(pb[d]) }
            else { return nil }
        }
        self.shape = shape
        // Row-major strides, 0 on broadcast dimensions.
        var sa = [Int](repeating: 0, count: rank), sb = [Int](repeating: 0, count: rank)
        var ra = 1, rb = 1
        for d in stride(from: rank - 1, through: 0, by: -1) {
            sa[d] = pa[d] == 1 && shape[d] != 1 ? 0 : ra
            sb[d] = pb[d] == 1 && shape[d] != 1 ? 0 : rb
            ra *= pa[d]
            rb *= pb[d]
        }
        // Merge dimension d into d+1 when both operands step through them as one.
        var dims: [Int] = [], ma: [Int] = [], mb: [Int] = []
        for d in 0..<rank where shape[d] != 1 {
            if let last = dims.last, let lastA = ma.last, let lastB = mb.last,
               lastA == sa[d] * shape[d], lastB == sb[d] * shape[d] {
                dims[dims.count - 1] = last * shape[d]
                ma[ma.count - 1] = sa[d]
                mb[mb.count - 1] = sb[d]
            } else {
                dims.append(shape[d])
                ma.append(sa[d])
                mb.append(sb[d])
            }
        }
        if dims.isEmpty { dims = [1]; ma = [0]; mb = [0] }
        self.dims = dims
        self.aStrides = ma
        self.bStrides = mb
    }

    /// `op` applied element-wise over the broadcast, row-major.
    @inline(__always)
    func apply<T>(_ a: [T], _ b: [T], _ op: (T, T) -> T) -> [T] {
        if dims.count == 1 && aStrides[0] == 1 && bStrides[0] == 1 {
            // Same shapes: one flat loop.
            return a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    [T](unsafeUninitializedCapacity: ap.count) { out, initialized in
                        if let o = out.baseAddress {
                            for i in 0..<ap.count { (o + i).initialize(to: op(ap[i], bp[i])) }
                        }
                        initialized = ap.count
                    }
                }
            }
        }
        let count = shape.reduce(1, *)
        let inner = dims[dims.count - 1]
        let ia = aStrides[dims.count - 1], ib = bStrides[dims.count - 1]
        let outerDims = dims.dropLast()
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    guard count > 0, let o = out.baseAddress, let pa = ap.baseAddress, let pb = bp.baseAddress else { return }
                    var index = [Int](repeating: 0, count: outerDims.count)
                    var offA = 0, offB = 0, offO = 0
                    while offO < count {
                        let x = pa + offA, y = pb + offB, z = o + offO
                        if ia == 1 && ib == 1 {
                            for i in 0..<inner { (z + i).initialize(to: op(x[i], y[i])) }
                        } else if ia == 1 {
                            let v = y[0]
                            for i in 0..<inner { (z + i).initialize(to: op(x[i], v)) }
                        } else if ib == 1 {
                            let v = x[0]
                            for i in 0..<inner { (z + i).initialize(to: op(v, y[i])) }
                        } else {
                            let u = x[0], v = y[0]
                            for i in 0..<inner { (z + i).initialize(to: op(u, v)) }
                        }
                        offO += inner
                        // Advance the outer multi-index (odometer), last outer dimension fastest.
                        var d = outerDims.count - 1
                        while d >= 0 {
                            index[d] += 1
                            offA += aStrides[d]
                            offB += bStrides[d]
                            if index[d] < dims[d] { break }
                            offA -= aStrides[d] * dims[d]
                            offB -= bStrides[d] * dims[d]
                            index[d] = 0
                            d -= 1
                        }
                    }
                }
            }
            initialized = count
        }
    }
}
