import AssayNumerics
import AssayStore

/// A matrix read from an artifact: a NumPy `.npy` file or a numeric CSV with a header row.
public struct MatrixData: Sendable {
    public var tensor: Tensor<Double>
    /// Column names from a CSV header; `nil` for `.npy`.
    public var columns: [String]?
    /// The artifact it came from.
    public var artifact: ArtifactID

    /// Reads the artifact `id`, recognising `.npy` by its magic bytes and CSV otherwise.
    public static func load(_ id: ArtifactID, from workspace: Workspace) throws -> MatrixData {
        let bytes = try workspace.blobs.bytes(of: id)
        return try decode(bytes, artifact: id, place: id.short)
    }

    /// Decodes bytes already read.
    public static func decode(_ bytes: [UInt8], artifact: ArtifactID, place: String) throws(PipelineError) -> MatrixData {
        if bytes.starts(with: NPYFormat.magic) {
            return MatrixData(tensor: try NPYFormat.decode(bytes, place: place), columns: nil, artifact: artifact)
        }
        let (t, columns) = try CSVMatrix.decode(bytes, place: place)
        return MatrixData(tensor: t, columns: columns, artifact: artifact)
    }
}

extension MatrixData {
    /// Refuses a matrix holding NaN or an infinite value, naming the first one by its 1-based row
    /// and column in the artifact `id`.
    static func requireFinite(_ matrix: Tensor<Double>, in id: ArtifactID, fix: String = "Remove or impute missing values first.") throws(PipelineError) {
        guard let (i, v) = matrix.firstNonFinite() else { return }
        let w = max(matrix.rowWidth, 1)
        throw .invalidInput(place: "\(id.short): row \(i / w + 1), column \(i % w + 1)", problem: "is \(v)", fix: fix)
    }

    /// " (a, b, c, …)": the first column names, to say which columns are expected; empty without names.
    static func columnsHint(_ columns: [String]?) -> String {
        columns.map { " (" + $0.prefix(8).joined(separator: ", ") + ")" } ?? ""
    }
}
