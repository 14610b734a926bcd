import AssayNumerics

/// Alibi Detect's k-nearest-neighbour outlier detector (`alibi_detect.od.KNN` with one `k`): an
/// instance's score is its Euclidean distance to the `k`-th nearest row of the reference data.
///
/// ## Definition
///
/// The distance between rows `a` and `b` is `sqrt(Σⱼ (aⱼ − bⱼ)²)`, the squares summed in feature
/// order from 0 in IEEE double precision, which is exactly SciPy's `cdist(metric='euclidean')`;
/// the `k`-th smallest is taken over the squared sums and then rooted (the square root is
/// correctly rounded and monotone, so that is the same value). ``score(_:pool:)`` gives the
/// distance of each query to its `k`-th nearest reference row; ``referenceScores(pool:)`` gives
/// the leave-one-out score of each reference row, its distance to its `k`-th nearest *other*
/// reference row (by index: a duplicate row counts as another row at distance 0), to infer a
/// threshold from with ``OutlierThreshold/percentile(_:_:)``.
///
/// Every score is computed on its own, so results are bit-identical for any pool size.
///
/// ## Differences from Alibi Detect
///
/// Alibi computes distances with `torch.cdist`, which for more than 25 rows uses the
/// `‖a‖² + ‖b‖² − 2a·b` expansion and so differs from the exact sum in the last bits (or more,
/// for nearby points); these scores are the exact sum. Alibi infers its threshold from the
/// scores of held-out data (`infer_threshold(x, fpr)`) and normalises ensembles of several `k`;
/// neither is here (``referenceScores(pool:)`` serves when no held-out data is kept).
///
/// ## Performance
///
/// The reference is stored again as panels of 4 rows, feature-major, so that one query is
/// compared with 16 rows at a time in vector registers; queries go in blocks of 64 (one block per
/// pool task) and the reference in chunks of 256 rows that stay in cache, and each query keeps
/// only its `k` smallest squared distances in a heap.
public struct KNNOutlier: Sendable, Codable, Equatable {
    /// The neighbour whose distance is the score (1 = the nearest).
    public let k: Int
    /// The reference rows (`n × features`).
    public let reference: Tensor<Double>
    /// The reference as panels of 4 rows: panel `p`, feature `f` holds rows `4p…4p+3`, zero-padded.
    private let panels: [SIMD4<Double>]

    /// The number of reference rows.
    public var referenceCount: Int { reference.rowCount }
    /// The number of features per row.
    public var featureCount: Int { reference.rowWidth }

    /// Keeps `reference` (rows × features) to score against.
    ///
    /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when `k < 1` or `k` is
    ///   not below the number of reference rows (the leave-one-out scores need `k` other rows);
    ///   ``DetectorError/invalidData(place:problem:fix:)`` when the reference has no features or
    ///   a NaN or infinite value.
    public init(reference: Tensor<Double>, k: Int = 5) throws(DetectorError) {
        let n = reference.rowCount, d = reference.rowWidth
        guard k >= 1 else {
            throw .invalidParameter(name: "k", problem: "\(k) is less than 1", valid: "Pass the neighbour to measure, 1 or more (Alibi's examples use 5 or more).")
        }
        guard k < n else {
            throw .invalidParameter(name: "k", problem: "\(k) with \(n) reference row\(n == 1 ? "" : "s"); each reference row needs \(k) other rows",
                                    valid: "Use k ≤ \(Swift.max(n - 1, 0)) or a larger reference set.")
        }
        guard d >= 1 else {
            throw .invalidData(place: "reference", problem: "has no features", fix: "Pass a matrix with at least one column.")
        }
        if let (i, v) = reference.firstNonFinite() {
            throw .invalidData(place: "reference row \(i / d + 1), feature \(i % d)", problem: "is \(v)", fix: "Remove or impute missing values before fitting.")
        }
        self.k = k
        self.reference = reference.rowMatrix()
        let panelCount = (n + 3) / 4
        var panels = [SIMD4<Double>](repeating: SIMD4(repeating: 0), count: panelCount * d)
        let x = reference.scalars
        for r in 0..<n {
            for f in 0..<d { panels[(r / 4) * d + f][r % 4] = x[r * d + f] }
        }
        self.panels = panels
    }

    /// The distance of each row of `x` to its `k`-th nearest reference row. Rows are scored in
    /// blocks on `pool` when given; the result is the same for any pool size.
    ///
    /// - Throws: ``DetectorError/invalidData(place:problem:fix:)`` when `x` has a different number
    ///   of features than the reference or a NaN or infinite value. No rows give no scores.
    public func score(_ x: Tensor<Double>, pool: BlockPool? = nil) throws(DetectorError) -> [Double] {
        let d = featureCount
        guard x.rowCount > 0 else { return [] }
        guard x.rowWidth == d else {
            throw .invalidData(place: "input", problem: "has \(x.rowWidth) features per row, the reference has \(d)",
                               fix: "Score data with the reference's columns.")
        }
        if let (i, v) = x.firstNonFinite() {
            throw .invalidData(place: "input row \(i / d + 1), feature \(i % d)", problem: "is \(v)", fix: "Remove or impute missing values first.")
        }
        return run(queries: x.scalars, count: x.rowCount, leaveOneOut: false, pool: pool)
    }

    /// The leave-one-out score of each reference row: its distance to its `k`-th nearest other
    /// reference row. Use it to infer a threshold when no held-out data is kept.
    public func referenceScores(pool: BlockPool? = nil) -> [Double] {
        run(queries: reference.scalars, count: referenceCount, leaveOneOut: true, pool: pool)
    }

    /// Scores `x` and flags scores above `threshold`.
    ///
    /// - Throws: as ``score(_:pool:)``.
    public func predict(_ x: Tensor<Double>, threshold: Double, pool: BlockPool? = nil) throws(DetectorError) -> OutlierResult {
        OutlierResult(instanceScore: try score(x, pool: pool), threshold: threshold)
    }

    // MARK: Kernel

    /// Queries per block (one pool task).
    static let queryBlock = 64
    /// Reference panels (of 4 rows) per cache chunk.
    static let chunkPanels = 64

    private func run(queries: [Double], count: Int, leaveOneOut: Bool, pool: BlockPool?) -> [Double] {
        let detector = self
        let body: @Sendable (Range<Int>) -> [Double] = { block in
            detector.scoreBlock(queries, block, leaveOneOut: leaveOneOut)
        }
        let blocks = fixedBlocks(count: count, size: Self.queryBlock)
        guard let pool, blocks.count > 1 else { return blocks.flatMap(body) }
        return pool.map(blocks: blocks, body).flatMap { $0 }
    }

    /// The scores of queries `block`; with `leaveOneOut`, query `i` is reference row `i` and is
    /// not compared with itself.
    private func scoreBlock(_ queries: [Double], _ block: Range<Int>, leaveOneOut: Bool) -> [Double] {
        let d = featureCount, n = referenceCount, k = self.k
        let panelCount = (n + 3) / 4
        var heaps = [Double](repeating: 0, count: block.count * k)
        var heapSizes = [Int](repeating: 0, count: block.count)
        var scratch = [Double](repeating: 0, count: Self.chunkPanels * 4)
        queries.withUnsafeBufferPointer { q in
            panels.withUnsafeBufferPointer { p in
                scratch.withUnsafeMutableBufferPointer { s in
                    heaps.withUnsafeMutableBufferPointer { h in
                        var chunkStart = 0
                        while chunkStart < panelCount {
                            let chunkEnd = Swift.min(chunkStart + Self.chunkPanels, panelCount)
                            let firstRow = chunkStart * 4
                            let rowsInChunk = Swift.min(chunkEnd * 4, n) - firstRow
                            for (local, query) in block.enumerated() {
                                Self.squaredDistances(q, query * d, p, chunkStart, chunkEnd, d, s)
                                let heap = UnsafeMutableBufferPointer(rebasing: h[(local * k)..<((local + 1) * k)])
                                var size = heapSizes[local]
                                for t in 0..<rowsInChunk {
                                    let value = s[t]
                                    // Most distances lose to the current k-th; test that first.
                                    if size == k && !(value < heap[0]) { continue }
                                    if leaveOneOut && firstRow + t == query { continue }
                                    Self.push(value, into: heap, size: &size)
                                }
                                heapSizes[local] = size
                            }
                            chunkStart = chunkEnd
                        }
                    }
                }
            }
        }
        return (0..<block.count).map { heaps[$0 * k].squareRoot() }
    }

    /// Squared distances of query row at `q[offset...]` to the rows of panels
    /// `first..<end`, into `out` (4 per panel, padding lanes included), each summed in feature order.
    @inline(__always)
    private static func squaredDistances(
        _ q: UnsafeBufferPointer<Double>, _ offset: Int, _ p: UnsafeBufferPointer<SIMD4<Double>>,
        _ first: Int, _ end: Int, _ d: Int, _ out: UnsafeMutableBufferPointer<Double>
    ) {
        var panel = first
        var o = 0
        while panel + 4 <= end {
            var a0 = SIMD4<Double>(repeating: 0), a1 = a0, a2 = a0, a3 = a0
            let b0 = panel * d, b1 = b0 + d, b2 = b1 + d, b3 = b2 + d
            for f in 0..<d {
                let v = SIMD4<Double>(repeating: q[offset + f])
                let e0 = v - p[b0 + f], e1 = v - p[b1 + f], e2 = v - p[b2 + f], e3 = v - p[b3 + f]
                a0 = a0 + e0 * e0
                a1 = a1 + e1 * e1
                a2 = a2 + e2 * e2
                a3 = a3 + e3 * e3
            }
            let base = UnsafeMutableRawPointer(out.baseAddress! + o)
            base.storeBytes(of: a0, as: SIMD4<Double>.self)
            base.storeBytes(of: a1, toByteOffset: 32, as: SIMD4<Double>.self)
            base.storeBytes(of: a2, toByteOffset: 64, as: SIMD4<Double>.self)
            base.storeBytes(of: a3, toByteOffset: 96, as: SIMD4<Double>.self)
            o += 16
            panel += 4
        }
        while panel < end {
            var a = SIMD4<Double>(repeating: 0)
            let b = panel * d
            for f in 0..<d {
                let e = SIMD4<Double>(repeating: q[offset + f]) - p[b + f]
                a = a + e * e
            }
            UnsafeMutableRawPointer(out.baseAddress! + o).storeBytes(of: a, as: SIMD4<Double>.self)
            o += 4
            panel += 1
        }
    }

    /// Adds `value` to a max-heap that keeps the `heap.count` smallest values seen.
    @inline(__always)
    private static func push(_ value: Double, into heap: UnsafeMutableBufferPointer<Double>, size: inout Int) {
        let capacity = heap.count
        if size < capacity {
            var i = size
            size += 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[parent] < value else { break }
                heap[i] = heap[parent]
                i = parent
            }
            heap[i] = value
            return
        }
        guard value < heap[0] else { return }
        var i = 0
        while true {
            let l = 2 * i + 1
            guard l < capacity else { break }
            let r = l + 1
            let c = r < capacity && heap[r] > heap[l] ? r : l
            guard heap[c] > value else { break }
            heap[i] = heap[c]
            i = c
        }
        heap[i] = value
    }

    // MARK: Codable

    enum CodingKeys: String, CodingKey { case k, reference }

    /// Decodes `k` and the reference, with the checks of ``init(reference:k:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let k = try c.decode(Int.self, forKey: .k)
        let reference = try c.decode(Tensor<Double>.self, forKey: .reference)
        do {
            try self.init(reference: reference, k: k)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .reference, in: c, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(k, forKey: .k)
        try c.encode(reference, forKey: .reference)
    }
}
