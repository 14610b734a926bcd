import ArgumentParser
import AssayNumerics
import AssayPipeline
import AssayStore

struct Corrupt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Corrupt image rows with noise, blur, brightness or pixelation (a seeded, recorded run).",
        discussion: """
            INPUT is a matrix whose rows are images of --shape HxWxC flattened row by row, channels \
            last: a CSV with a header row, a NumPy .npy file, or an artifact holding either. A row \
            holds H·W·C pixel values, or H·W·C + 1 when it ends with one more column (a label), \
            which is copied unchanged. The output is a float64 .npy matrix with the same rows, in \
            the same order. Amounts are relative to the range [min, max] of all pixel values of the \
            input, and results are clipped to it. Corruptions follow ImageNet-C (Hendrycks and \
            Dietterich), adapted to small images; severity 1 to 5:
              gaussian-noise  \(ImageCorruption.gaussianNoise.severityTable)
              motion-blur     \(ImageCorruption.motionBlur.severityTable), one random direction per image
              brightness      \(ImageCorruption.brightness.severityTable), added
              pixelation      \(ImageCorruption.pixelation.severityTable), area average then nearest
            The same input, kind, severity, shape and seed always give the same artifact.

            Examples:
              assay corrupt notebooks/data/digits.csv --kind gaussian-noise --severity 3 --shape 8x8x1 --seed 7
              assay corrupt dataset:digits --kind motion-blur --severity 2 --shape 8x8x1 --name dataset:digits-blur2
              assay corrupt cifar.npy --kind pixelation --severity 5 --shape 32x32x3 --json
            """)

    @Argument(help: "The images: an artifact id or name, or a file (CSV with header, .npy), which is added first.")
    var input: String

    @Option(help: ArgumentHelp("The corruption: \(ImageCorruption.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
    var kind: String

    @Option(help: "Severity, 1 (mild) to 5 (strong).")
    var severity: Int

    @Option(help: ArgumentHelp("Image shape HxWxC (e.g. 8x8x1, 32x32x3); HxW means one channel.", valueName: "HxWxC"))
    var shape: String

    @Option(help: "Seed of the random draws (noise, blur directions).")
    var seed: UInt64 = 0

    @Option(help: "A name to point at the corrupted matrix, e.g. dataset:digits-noise3.")
    var name: String?

    @OptionGroup var options: WorkspaceOptions

    func validate() throws {
        guard ImageCorruption(rawValue: kind) != nil else {
            throw ValidationError("--kind: unknown corruption \(kind.debugDescription). Use one of: \(ImageCorruption.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard ImageCorruption.severities.contains(severity) else {
            throw ValidationError("--severity: \(severity) is outside 1–5. Pass 1 (mild) to 5 (strong).")
        }
        do throws(NumericsError) {
            _ = try ImageShape(parsing: shape)
        } catch {
            var problem = error.description
            if case .domain(let text) = error { problem = text }
            throw ValidationError("--shape: \(problem). Pass HxWxC with positive integers, e.g. 8x8x1 for the digits or 32x32x3 for CIFAR-10.")
        }
    }

    func run() throws {
        let ws = try options.open()
        guard let corruption = ImageCorruption(rawValue: kind) else { throw ValidationError("--kind: unknown corruption \(kind.debugDescription).") }
        let imageShape = try ImageShape(parsing: shape)
        let inputID = try DataArgument.resolve(input, in: ws)
        let r = try DataArgument.namingFiles([(input, inputID)]) {
            try CorruptOperation.run(in: ws, input: inputID, kind: corruption, severity: severity, shape: imageShape, seed: seed, name: name)
        }
        if options.json {
            struct View: Encodable {
                var output: String, input: String, run: String, kind: String, severity: Int, shape: [Int], seed: UInt64
                var rows: Int, range: [Double], kept_column: String?, name: String?
                func encode(to encoder: any Encoder) throws {
                    enum K: String, CodingKey { case output, input, run, kind, severity, shape, seed, rows, range, kept_column, name }
                    var c = encoder.container(keyedBy: K.self)
                    try c.encode(output, forKey: .output); try c.encode(input, forKey: .input); try c.encode(run, forKey: .run)
                    try c.encode(kind, forKey: .kind); try c.encode(severity, forKey: .severity); try c.encode(shape, forKey: .shape)
                    try c.encode(seed, forKey: .seed); try c.encode(rows, forKey: .rows); try c.encode(range, forKey: .range)
                    try c.encode(kept_column, forKey: .kept_column); try c.encode(name, forKey: .name)
                }
            }
            try Output.json(View(output: r.output.rawValue, input: r.input.rawValue, run: r.run.id.rawValue, kind: corruption.rawValue,
                                 severity: severity, shape: imageShape.dimensions, seed: seed, rows: r.rows,
                                 range: [r.range.lowerBound, r.range.upperBound], kept_column: r.keptColumn, name: name))
        } else {
            let kept = r.keptColumn.map { ", \($0) kept" } ?? ""
            Output.line("\(r.output)  \(corruption.rawValue) severity \(severity) on \(r.rows) images \(imageShape)\(kept), seed \(seed)\(name.map { "  \($0)" } ?? "")  (run \(r.run.id))")
        }
        Output.flush()
    }
}
