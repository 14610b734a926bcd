/// A dense tensor of `Float` or `Double`, row-major, with a checked shape.
///
/// Rows are the first dimension: a batch of `n` images 8×8×1 has shape `[n, 8, 8, 1]`, and
/// ``rowMatrix()`` views it as `n` rows of 64 features, as Alibi Detect flattens its inputs.
///
/// ```swift
/// let x = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// x[1, 2]          // 6
/// x.column(0)      // [1, 4]
/// ```
public struct Tensor<Scalar: BinaryFloatingPoint & Sendable & Codable>: Sendable, Equatable {
    /// Size of each dimension; the product is `scalars.count`.
    public let shape: [Int]
    /// The scalars in row-major order.
    public private(set) var scalars: [Scalar]

    /// Wraps `scalars` with `shape`.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when a dimension is negative or the product
    ///   of the shape differs from the number of scalars.
    public init(shape: [Int], scalars: [Scalar]) throws(NumericsError) {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .shapeMismatch("negative dimension in \(shape)") }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, count == scalars.count else {
            throw .shapeMismatch("shape \(shape) holds \(overflow ? "too many" : String(count)) scalars, got \(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 })
        self.shape = shape
        self.scalars = [Scalar](repeating: 0, count: shape.reduce(1, *))
    }

    /// A matrix from rows of equal length.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when rows differ in length.
    public init(rows: [[Scalar]]) throws(NumericsError) {
        let width = rows.first?.count ?? 0
        for (i, r) in rows.enumerated() where r.count != width {
            throw .shapeMismatch("row \(i) has \(r.count) values, row 0 has \(width)")
        }
        try self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Number of dimensions.
    @inlinable
    public var rank: Int { shape.count }
    /// Size of the first dimension (0 for a scalar tensor of rank 0).
    @inlinable
    public var rowCount: Int { shape.first ?? 0 }
    /// Number of scalars per row (the product of the trailing dimensions).
    @inlinable
    public var rowWidth: Int { shape.dropFirst().reduce(1, *) }

    /// The same scalars viewed as `[rowCount, rowWidth]`.
    @inlinable
    public func rowMatrix() -> Tensor {
        Tensor(uncheckedShape: [rowCount, rowWidth], scalars: scalars)
    }

    /// The same scalars with another shape of equal size.
    @inlinable
    public func reshaped(_ newShape: [Int]) throws(NumericsError) -> Tensor {
        try Tensor(shape: newShape, scalars: scalars)
    }

    /// Element of a matrix (rank 2).
    public subscript(row: Int, column: Int) -> Scalar {
        get { scalars[row * shape[1] + column] }
        set { scalars[row * shape[1] + column] = newValue }
    }

    /// Column `j` of the row matrix, copied.
    @inlinable
    public func column(_ j: Int) -> [Scalar] {
        let w = rowWidth, n = rowCount
        return scalars.withUnsafeBufferPointer { b in
            [Scalar](unsafeUninitializedCapacity: n) { out, count in
                for i in 0..<n { out[i] = b[i * w + j] }
                count = n
            }
        }
    }

    /// Row `i` of the row matrix, copied.
    @inlinable
    public func row(_ i: Int) -> ArraySlice<Scalar> {
        let w = rowWidth
        return scalars[(i * w)..<((i + 1) * w)]
    }

    /// Rows `indices` (in that order) as a new tensor with the same trailing shape.
    @inlinable
    public func rows(_ indices: [Int]) -> Tensor {
        let w = rowWidth
        var out = [Scalar]()
        out.reserveCapacity(indices.count * w)
        for i in indices { out.append(contentsOf: scalars[(i * w)..<((i + 1) * w)]) }
        return Tensor(uncheckedShape: [indices.count] + shape.dropFirst(), scalars: out)
    }

    /// Rows of `self` followed by rows of `other`.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when the trailing shapes differ.
    @inlinable
    public func concatenatingRows(_ other: Tensor) throws(NumericsError) -> Tensor {
        guard Array(shape.dropFirst()) == Array(other.shape.dropFirst()) else {
            throw .shapeMismatch("cannot stack rows of shape \(Array(shape.dropFirst())) and \(Array(other.shape.dropFirst()))")
        }
        return Tensor(uncheckedShape: [rowCount + other.rowCount] + shape.dropFirst(), scalars: scalars + other.scalars)
    }

    /// The position and value of the first NaN or infinity, if any.
    @inlinable
    public func firstNonFinite() -> (index: Int, value: Scalar)? {
        guard let i = scalars.firstIndex(where: { !$0.isFinite }) else { return nil }
        return (i, scalars[i])
    }

    /// Converts every scalar (rounding to nearest when narrowing).
    @inlinable
    public func converted<T>(to: T.Type = T.self) -> Tensor<T> {
        Tensor<T>(uncheckedShape: shape, scalars: scalars.map { T($0) })
    }

    @usableFromInline
    init(uncheckedShape shape: [Int], scalars: [Scalar]) {
        self.shape = shape
        self.scalars = scalars
    }
}

extension Tensor: Codable {
    enum CodingKeys: String, CodingKey { case shape, data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try c.decode([Int].self, forKey: .shape)
        let data = try c.decode([Scalar].self, forKey: .data)
        do { try self.init(shape: shape, scalars: data) } catch {
            throw DecodingError.dataCorruptedError(forKey: .data, in: c, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shape, forKey: .shape)
        try c.encode(scalars, forKey: .data)
    }
}
