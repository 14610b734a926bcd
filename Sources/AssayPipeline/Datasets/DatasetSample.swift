import AssayNumerics
import AssayStore

/// `assay sample`: draws rows without replacement from a CSV dataset, as a recorded run.
///
/// The output keeps the header and the chosen rows in their original order, byte for byte, so it
/// is again a valid CSV. Which rows are chosen depends only on the seed and the row count: the
/// generator is `SeededGenerator(seed:).child("sample")` and the draw is
/// ``SeededGenerator/sample(k:of:)``, so the same recipe yields the same bytes anywhere.
public enum DatasetSample {
    /// The operation name recorded in the lineage.
    public static let operation = "sample"
    /// Bump when the output bytes for a given recipe change.
    public static let version = 1

    /// Samples `rows` data rows from the CSV artifact `source`.
    ///
    /// - Throws: ``PipelineError`` when the source is not a CSV with enough rows; store errors.
    public static func run(in workspace: Workspace, source: ArtifactID, rows: Int, seed: UInt64, name: String?) throws -> RunInfo {
        if let name { try Workspace.validateName(name) }
        let recipe = Recipe(operation: operation, operationVersion: version,
                            parameters: .object(["rows": JSONValue(rows)]), seed: seed,
                            inputs: [RunArtifact(role: "source", id: source)])
        let (_, info) = try workspace.record(recipe, names: { id in name.map { [$0: id] } ?? [:] }) { run in
            let bytes = try workspace.blobs.bytes(of: source)
            let output = try sample(csv: bytes, rows: rows, seed: seed, place: source.short)
            return try run.addOutput(bytes: output, role: "sample", kind: "dataset")
        }
        return info
    }

    /// The pure computation: the sampled CSV bytes.
    public static func sample(csv: [UInt8], rows: Int, seed: UInt64, place: String) throws(PipelineError) -> [UInt8] {
        let records = try CSVRecords(csv, place: place)
        guard rows >= 0, rows <= records.rows.count else {
            throw .invalidInput(place: place, problem: "asked for \(rows) rows, the dataset has \(records.rows.count)",
                                fix: "Pass --rows between 0 and \(records.rows.count).")
        }
        var rng = SeededGenerator(seed: seed).child(operation)
        let chosen = rng.sample(k: rows, of: records.rows.count).sorted()
        var out = Array(records.header)
        out.append(0x0a)
        for i in chosen {
            out.append(contentsOf: records.rows[i])
            out.append(0x0a)
        }
        return out
    }
}
