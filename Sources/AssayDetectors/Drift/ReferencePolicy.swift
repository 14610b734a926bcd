import AssayNumerics

/// How a detector's reference changes after each batch (Alibi Detect's `update_x_ref`, spec §5).
///
/// The decision on a batch always uses the reference from *before* that batch; the update comes
/// after.
public enum ReferencePolicy: Sendable, Equatable, Codable {
    /// The reference never changes.
    case fixed
    /// Keep the last `n` rows of reference + batch.
    case last(Int)
    /// Algorithm R reservoir of `n` rows over every row seen, drawing from the seeded generator
    /// (Alibi draws from Python's `random`; the rule is the same, the stream is Assay's).
    case reservoir(Int)

    /// The reference after seeing `batch`.
    ///
    /// - Parameters:
    ///   - seen: rows seen so far (initially the reference's row count); updated.
    ///   - rng: used by ``reservoir(_:)`` only, one draw per row past the reservoir's size.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when the batch's rows differ in width.
    public func update(_ reference: Tensor<Double>, with batch: Tensor<Double>, seen: inout Int, rng: inout SeededGenerator) throws(NumericsError) -> Tensor<Double> {
        let ref = reference.rowMatrix(), x = batch.rowMatrix()
        switch self {
        case .fixed:
            seen += x.rowCount
            return reference
        case .last(let n):
            seen += x.rowCount
            let all = try ref.concatenatingRows(x)
            let keep = min(max(n, 0), all.rowCount)
            return all.rows(Array((all.rowCount - keep)..<all.rowCount))
        case .reservoir(let n):
            let size = max(n, 0)
            if seen + x.rowCount <= size {
                seen += x.rowCount
                return try ref.concatenatingRows(x)
            }
            var rows: [ArraySlice<Double>] = (0..<ref.rowCount).map { ref.row($0) }
            if rows.count > size { rows = Array(rows.prefix(size)) }
            for i in 0..<x.rowCount {
                seen += 1
                if rows.count < size {
                    rows.append(x.row(i))
                } else {
                    let r = Int(rng.int(below: UInt64(seen)))
                    if r < size { rows[r] = x.row(i) }
                }
            }
            return try Tensor(shape: [rows.count, ref.rowWidth], scalars: rows.flatMap { $0 })
        }
    }
}
