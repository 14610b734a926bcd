import AssayNumerics
import AssayStore

/// `assay corrupt`: applies an ``ImageCorruption`` at a severity to every image row of a matrix,
/// as a recorded run.
///
/// The input is a matrix artifact (a CSV with a header row or a NumPy `.npy` file) whose rows are
/// images of a given ``ImageShape`` flattened row-major (`H × W × C` values). A row may carry one
/// extra **trailing** column — a label such as the `label` of `notebooks/data/digits.csv` — which
/// is copied to the output unchanged; so a row has either `H·W·C` values (pixels only) or
/// `H·W·C + 1` (pixels, then the label). The output is a `.npy` float64 matrix with the same rows
/// in the same order and the same columns.
///
/// Amounts are relative to the observed range `[min, max]` of all pixel values of the whole input
/// (the trailing column excluded) and results are clipped to it, so 0–16 digits stay in 0–16.
/// The run's recipe is: operation `corrupt` v1, parameters `{"kind", "severity", "shape": [H, W, C]}`,
/// the seed, and the input (role `input`); its output has role `corrupted`, kind `matrix`.
/// Randomness comes from `SeededGenerator(seed:).child("corrupt").child(kind)`, so the same recipe
/// gives the same bytes anywhere.
public enum CorruptOperation {
    /// The operation name recorded in the lineage.
    public static let operation = "corrupt"
    /// Bump when the output bytes for a given recipe change (tables, kernels, layout).
    public static let version = 1

    /// What a corruption run produced.
    public struct Result: Sendable {
        /// The corrupted matrix (`.npy`).
        public var output: ArtifactID
        /// The input matrix.
        public var input: ArtifactID
        /// The recorded run.
        public var run: RunInfo
        /// Number of images (rows).
        public var rows: Int
        /// The observed pixel range amounts were relative to and values were clipped to.
        public var range: ClosedRange<Double>
        /// The name of the trailing column copied unchanged (`"label"`, or `"column 65"` for a
        /// `.npy`), or `nil` when rows are pixels only.
        public var keptColumn: String?
    }

    /// The pure computation's result.
    public struct Corrupted: Sendable {
        /// The corrupted rows, `[rows, width]`, trailing column included.
        public var matrix: Tensor<Double>
        /// The observed pixel range.
        public var range: ClosedRange<Double>
        /// The trailing column copied unchanged, if any.
        public var keptColumn: String?
    }

    /// Corrupts the matrix artifact `input`, records the run and names the output `name`.
    ///
    /// The input is checked before anything is recorded.
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` for an empty input, a row
    ///   width that does not fit `shape`, a NaN or infinite value, or a bad name; store errors.
    public static func run(in workspace: Workspace, input: ArtifactID, kind: ImageCorruption, severity: Int,
                           shape: ImageShape, seed: UInt64, name: String?) throws -> Result {
        if let name { try Workspace.validateName(name) }
        let data = try MatrixData.load(input, from: workspace)
        let corrupted = try corrupt(data.tensor, columns: data.columns, kind: kind, severity: severity, shape: shape,
                                    seed: seed, place: input.short)
        let recipe = Recipe(operation: operation, operationVersion: version,
                            parameters: .object(["kind": .string(kind.rawValue), "severity": JSONValue(severity),
                                                 "shape": .array(shape.dimensions.map { JSONValue($0) })]),
                            seed: seed, inputs: [RunArtifact(role: "input", id: input)])
        let (output, info) = try workspace.record(recipe, names: { id in name.map { [$0: id] } ?? [:] }) { run in
            try run.addOutput(bytes: NPYFormat.encode(corrupted.matrix), role: "corrupted", kind: "matrix")
        }
        return Result(output: output, input: input, run: info, rows: corrupted.matrix.rowCount,
                      range: corrupted.range, keptColumn: corrupted.keptColumn)
    }

    /// The pure computation: the corrupted rows of `tensor` (a matrix, or any tensor read as
    /// rows), with a trailing non-pixel column kept unchanged.
    ///
    /// - Parameters:
    ///   - columns: the CSV header, used to name columns in errors and the kept column.
    ///   - place: names the input in errors (an artifact's short id).
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` as ``run(in:input:kind:severity:shape:seed:name:)``.
    public static func corrupt(_ tensor: Tensor<Double>, columns: [String]?, kind: ImageCorruption, severity: Int,
                               shape: ImageShape, seed: UInt64, place: String) throws(PipelineError) -> Corrupted {
        guard ImageCorruption.severities.contains(severity) else {
            throw .invalidInput(place: "--severity \(severity)", problem: "is outside 1–5", fix: "Pass --severity 1 (mild) to 5 (strong).")
        }
        let matrix = tensor.rowMatrix()
        let n = matrix.rowCount, width = matrix.rowWidth
        guard n > 0, width > 0 else {
            throw .invalidInput(place: place, problem: "the input has no images (\(n) rows of \(width) values)",
                                fix: "Pass a matrix with at least one row of \(shape.valueCount) pixel values.")
        }
        let pixels = shape.valueCount
        guard width == pixels || width == pixels + 1 else {
            var fix = "Pass the shape of the images (pixels row by row, channels last)"
            if let side = squareSide(width) ?? squareSide(width - 1) { fix += ", e.g. --shape \(side)x\(side)x1" }
            fix += ", or drop the columns that are not pixels."
            throw .invalidInput(place: "\(place): --shape \(shape)",
                                problem: "rows have \(width) values; images \(shape) need \(pixels) (pixels only) or \(pixels + 1) (pixels then one trailing column, such as label, copied unchanged)",
                                fix: fix)
        }
        func columnName(_ j: Int) -> String {
            if let columns, j < columns.count { return "column \(j + 1) (\(columns[j]))" }
            return "column \(j + 1)"
        }
        if let (i, v) = matrix.firstNonFinite() {
            throw .invalidInput(place: "\(place): row \(i / width + 1), \(columnName(i % width))", problem: "is \(v)",
                                fix: "Remove or impute missing values before corrupting.")
        }
        let keepsColumn = width == pixels + 1
        var pixelScalars = matrix.scalars
        if keepsColumn {
            pixelScalars = []
            pixelScalars.reserveCapacity(n * pixels)
            for r in 0..<n { pixelScalars.append(contentsOf: matrix.scalars[(r * width)..<(r * width + pixels)]) }
        }
        do throws(NumericsError) {
            let images = try Tensor(shape: [n, pixels], scalars: pixelScalars)
            guard let range = ImageCorruption.observedRange(of: images) else {
                throw .nonFinite(where: "pixel values")
            }
            var rng = SeededGenerator(seed: seed).child(operation).child(kind.rawValue)
            let out = try kind.apply(to: images, shape: shape, severity: severity, range: range, rng: &rng)
            guard keepsColumn else { return Corrupted(matrix: out, range: range, keptColumn: nil) }
            var scalars: [Double] = []
            scalars.reserveCapacity(n * width)
            for r in 0..<n {
                scalars.append(contentsOf: out.scalars[(r * pixels)..<((r + 1) * pixels)])
                scalars.append(matrix.scalars[r * width + pixels])
            }
            let kept = columns.flatMap { pixels < $0.count ? $0[pixels] : nil } ?? "column \(width)"
            return Corrupted(matrix: try Tensor(shape: [n, width], scalars: scalars), range: range, keptColumn: kept)
        } catch {
            throw .invalidInput(place: place, problem: error.description, fix: "")
        }
    }

    /// `k` when `count` is `k²` for some k ≥ 2.
    private static func squareSide(_ count: Int) -> Int? {
        guard count >= 4 else { return nil }
        var k = 1
        while (k + 1) * (k + 1) <= count { k += 1 }
        return k * k == count ? k : nil
    }
}
