import ArgumentParser
import AssayPipeline
import AssayStore
import Foundation

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A run's figures and measurements, as Prometheus text or JSON.",
        discussion: """
            For any run: its measurements (wall and CPU time, peak memory, events/s, the latency \
            histogram of its model calls), recorded beside the run and never part of its ids. For \
            a replay also: windows and alerts per component, the last window's drift p-value, \
            outlier rate, accuracy, precision/recall/F1 per class and so on, and counters summed \
            over all windows (see the Replay article for every metric name).

            --format prometheus prints the Prometheus text exposition (version 0.0.4); with -o \
            it writes the file atomically (a temporary file renamed into place), as \
            node_exporter's textfile collector expects (name it *.prom). --format json prints \
            the measurement document and the exposition's samples.

            Examples:
              assay metrics RUN
              assay metrics RUN --format prometheus -o /var/lib/node_exporter/textfile/assay.prom
              assay metrics RUN --format json
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case prometheus, json }

    @Argument(help: "The run: id or unique prefix (see `assay log`).")
    var runReference: String

    @Option(help: "prometheus (default) or json.")
    var format: Format = .prometheus

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let id = try ws.resolveRun(runReference)
        guard let info = try ws.run(id) else { throw StoreError.unknownReference(runReference) }
        let exposition = try PrometheusExposition.of(run: info, in: ws)
        let bytes: [UInt8]
        if format == .json || options.json {
            let doc: JSONValue = .object([
                "run": .string(info.id.rawValue), "operation": .string(info.operation),
                "measurements": try ws.measurements(run: id) ?? .null,
                "samples": .array(exposition.samples.map { s in
                    .object(["name": .string(s.name), "labels": .object(Dictionary(s.labels.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { a, _ in a })),
                             "value": s.value.isFinite ? JSONValue(s.value) : .string(PrometheusExposition.format(s.value))])
                }),
            ])
            bytes = try doc.canonicalBytes() + [0x0a]
        } else {
            bytes = Array(exposition.text.utf8)
        }
        guard let output else {
            Output.bytes(bytes)
            Output.flush()
            return
        }
        let url = URL(fileURLWithPath: output)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(bytes).write(to: temporary)
            if FileManager.default.fileExists(atPath: url.path) { _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary) }
            else { try FileManager.default.moveItem(at: temporary, to: url) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ValidationError("cannot write \(output): \(error.localizedDescription)")
        }
        Output.line("wrote \(output) (\(bytes.count) bytes)")
        Output.flush()
    }
}
