import ArgumentParser
import AssayPipeline
import AssayStore
import Foundation

extension CaptureCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a traffic capture as a canonical capture artifact (a recorded run).",
            discussion: """
                Formats:
                  seldon  Seldon Core v1 request-logger CloudEvents: JSON Lines (structured mode) or \
                binary-mode records (Ce-* header lines, a blank line, the body). Joined on \
                Ce-Requestid and Ce-Modelid; feedback events add truth.
                  kserve  KServe payload-logger CloudEvents, either layout; joined on Ce-Id.
                  v2      Open Inference Protocol requests and responses, one JSON object per line, \
                joined on id.
                  jsonl   one JSON object per line: features, optional request_id, timestamp, \
                model, truth.
                  csv     a header row; request_id, timestamp (RFC 3339 or Unix seconds), model \
                and truth columns when present, the other columns features.
                  npy     a NumPy .npy array, one event per row (.npz: save each array as .npy).
                  truth   rows {"request_id", "truth", "reward"?} joined onto --capture ID, giving \
                a new capture.

                Requests without a response, responses without a request and duplicate request \
                ids are kept and counted, never dropped. With --on-error skip, records that cannot \
                be read are kept verbatim in a quarantine artifact (an output of the run) and the \
                rest is imported; by default the first one stops the import (exit 2) naming its line.

                Examples:
                  assay capture import requests.log --format seldon --name capture:iris
                  assay capture import kserve-events.jsonl --format kserve --on-error skip --json
                  assay capture import traffic.csv --format csv --name capture:today
                  assay capture import labels.jsonl --format truth --capture capture:today --name capture:today-labelled
                """)

        @Argument(help: "The capture file.")
        var file: String

        @Option(help: "seldon, kserve, v2, jsonl, csv, npy or truth.")
        var format: String

        @Option(help: "A name to point at the capture, e.g. capture:iris@2024-05-01.")
        var name: String?

        @Option(name: .customLong("on-error"), help: "fail (stop at the first bad record) or skip (quarantine it and go on).")
        var onError: String = "fail"

        @Option(help: "For --format truth: the capture (id or name) to join the truth onto.")
        var capture: String?

        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let format = try CaptureFormat.parse(format)
            guard let policy = CaptureErrorPolicy(rawValue: onError) else {
                throw PipelineError.invalidInput(place: "--on-error", problem: "unknown policy \(onError)", fix: "Use fail or skip.")
            }
            let ws = try options.open()
            let base = try capture.map { try ws.resolveArtifact($0) }
            var importOptions = CaptureImport.Options(format: format, onError: policy, name: name, capture: base)
            // Tests shrink the in-memory sort budget to force spilled runs on small files.
            if let budget = ProcessInfo.processInfo.environment["ASSAY_CAPTURE_SORT_BUDGET"].flatMap(Int.init), budget >= 1024 {
                importOptions.sortMemoryBudget = budget
            }
            let summary = try CaptureImport.run(in: ws, file: file, options: importOptions)
            if options.json {
                Output.bytes(try summary.json.canonicalBytes() + [0x0a])
            } else {
                var head = "\(summary.capture?.rawValue ?? "?")  capture  \(summary.events) events"
                if let name { head += "  \(name)" }
                head += "  (run \(summary.run?.rawValue ?? "?"))"
                Output.line(head)
                Output.line("complete: \(summary.complete), rows: \(summary.rows), requests without response: \(summary.requestsWithoutResponse), responses without request: \(summary.responsesWithoutRequest), truth without request: \(summary.truthWithoutRequest)")
                Output.line("with truth: \(summary.withTruth), duplicate requests: \(summary.duplicateRequests), duplicate truth: \(summary.duplicateTruth)")
                let signatures = summary.inputSignatures.map { "\($0.signature) ×\($0.events)" }.joined(separator: ", ")
                Output.line("inputs: \(signatures.isEmpty ? "none" : signatures)\(summary.mixedShapes ? "  (mixed shapes)" : "")")
                if summary.quarantined > 0 {
                    Output.line("quarantined: \(summary.quarantined) records in \(summary.quarantine?.rawValue ?? "?")")
                }
                if !summary.ignored.isEmpty {
                    Output.line("ignored: " + summary.ignored.keys.sorted().map { "\($0) ×\(summary.ignored[$0] ?? 0)" }.joined(separator: ", "))
                }
            }
            Output.flush()
        }
    }
}
