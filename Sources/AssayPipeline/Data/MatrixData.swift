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
