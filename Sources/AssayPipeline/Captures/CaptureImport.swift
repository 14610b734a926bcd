#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AssayStore
import Foundation

/// `assay capture import`: reads a traffic capture, joins requests, responses and truth by
/// request id, and records the canonical capture (see <doc:CaptureFormat>) in a
/// `capture.import` run.
///
/// The run's inputs are the source file, stored first as an artifact of kind `capture-source`
/// (role `source`), and for format `truth` the capture the truth joins onto (role `capture`);
/// its parameters are `{"format", "on_error"}`. Its outputs are the capture (kind `capture`)
/// and, when records were skipped, the quarantine (kind `capture-quarantine`). The same
/// source, format and policy always give the same capture bytes.
///
/// Memory stays bounded whatever the file size: sources are read a line (or a `.npy` row) at a
/// time, and both sorts (by join key, then by time) keep at most 16 MiB of events in memory,
/// spilling sorted runs to `artifacts/tmp/` and merging them.
public enum CaptureImport {
    public static let operation = (name: "capture.import", version: 1)

    /// What to import and how.
    public struct Options: Sendable {
        public var format: CaptureFormat
        public var onError: CaptureErrorPolicy
        /// A name to point at the capture.
        public var name: String?
        /// For format `truth`: the capture to join truth onto.
        public var capture: ArtifactID?
        /// Bytes of events sorted in memory before spilling (tests make it small).
        public var sortMemoryBudget: Int

        public init(format: CaptureFormat, onError: CaptureErrorPolicy = .fail, name: String? = nil, capture: ArtifactID? = nil, sortMemoryBudget: Int = 16 << 20) {
            self.format = format
            self.onError = onError
            self.name = name
            self.capture = capture
            self.sortMemoryBudget = sortMemoryBudget
        }
    }

    /// Imports `file` into `workspace`.
    ///
    /// - Throws: ``PipelineError/invalidInput(place:problem:fix:)`` for a record that cannot be
    ///   read (with `--on-error fail`; its place is `FILE: line N`), a capture with no events, a
    ///   `.npz` archive, a missing `--capture` for format `truth`; store errors.
    public static func run(in workspace: Workspace, file: String, options: Options) throws -> CaptureSummary {
        if let name = options.name { try Workspace.validateName(name) }
        var base: ArtifactID?
        if options.format == .truth {
            guard let capture = options.capture else {
                throw PipelineError.invalidInput(place: "--capture", problem: "format truth joins truth onto an existing capture", fix: "Pass --capture ID (a capture id or name).")
            }
            guard try workspace.artifact(capture)?.kind == "capture" else {
                throw PipelineError.invalidInput(place: capture.short, problem: "is not a capture", fix: "Pass the id or name of an imported capture.")
            }
            base = capture
        } else if options.capture != nil {
            throw PipelineError.invalidInput(place: "--capture", problem: "only format truth takes a capture", fix: "Leave out --capture, or use --format truth.")
        }
        var st = stat()
        if stat(file, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size == 0 {
            throw PipelineError.invalidInput(place: file, problem: "the capture is empty (0 bytes)", fix: "Pass a file with at least one logged event.")
        }
        let source = try workspace.add(fileAt: file, kind: "capture-source").artifact.id
        var inputs = [RunArtifact(role: "source", id: source)]
        if let base { inputs.append(RunArtifact(role: "capture", id: base)) }
        let recipe = Recipe(operation: operation.name, operationVersion: operation.version,
                            parameters: .object(["format": .string(options.format.rawValue), "on_error": .string(options.onError.rawValue)]),
                            inputs: inputs)
        var summary = CaptureSummary(sourceFormat: options.format, source: source, baseCapture: base)
        let (capture, info) = try workspace.record(recipe, names: { id in options.name.map { [$0: id] } ?? [:] }) { run in
            var importer = Importer(workspace: workspace, place: file, sourcePath: workspace.blobs.path(for: source), options: options, summary: summary)
            let id = try importer.run(run)
            summary = importer.summary
            return id
        }
        summary.capture = capture
        summary.run = info.id
        return summary
    }
}
